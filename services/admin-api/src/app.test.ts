import { createEngineStatusStore } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOOTSTRAP, bearer, type Fixture, finding, seedAgent, startFixture } from './testing/fixture.js';

let server: RedisServer;
let f: Fixture;
beforeAll(async () => {
  server = await startRedis();
  f = await startFixture(server);
  await seedAgent(f.store, 'a1', { presence: 'ON_QUEUE', routing: 'IDLE', tags: ['queue:q1'] });
  await seedAgent(f.store, 'a2', {
    presence: 'ON_QUEUE',
    routing: 'OFF_QUEUE',
    findings: [finding('a2', 'on-queue-not-routable', 1_700_000_001_000)],
    declared: {
      presence: 'ON_QUEUE',
      routing: null,
      by: 'wfm',
      at: 1_700_000_000_000,
      until: 4_000_000_000_000,
    },
  });
  await seedAgent(f.store, 'a3', { presence: 'BREAK', routing: 'OFF_QUEUE' });
});
afterAll(async () => {
  await f?.close();
  await server?.stop();
});

const admin = bearer(BOOTSTRAP);

describe('problems', () => {
  test('an unknown route is a 404 problem body', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'No such resource' });
  });

  test('a validation error lists every problem of the body', async () => {
    const res = await f.app.inject({
      method: 'PUT',
      url: '/v1/agents/a1/desired-state',
      headers: admin,
      payload: { presence: 'SLEEPING', validFrom: 'yesterday', extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; errors: { location: string }[] }>();
    expect(body.code).toBe('VALIDATION_FAILED');
    const locations = body.errors.map((e) => e.location).join(' ');
    expect(locations).toContain('presence');
    expect(locations).toContain('validFrom');
    expect(locations).toContain('source');
  });

  test('a validation error lists the problems of the path, the query and the body together', async () => {
    const res = await f.app.inject({
      method: 'GET',
      url: '/v1/agents/a%7Bb/history?limit=0&kind=dance',
      headers: admin,
    });
    expect(res.statusCode).toBe(400);
    const locations = res.json<{ errors: { location: string }[] }>().errors.map((e) => e.location);
    expect(locations).toEqual(['params/id', 'querystring/limit', 'querystring/kind']);
  });

  test('malformed JSON is a 400 problem, not a 5xx, and carries no stack', async () => {
    const res = await f.app.inject({
      method: 'PUT',
      url: '/v1/agents/a1/desired-state',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"presence":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MALFORMED_BODY', status: 400 });
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  test('a 200,000-deep JSON body and a body over 2 MiB are 4xx problems, not 5xx', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    for (const url of ['/v1/desired-states', '/v1/keys']) {
      const res = await f.app.inject({
        method: 'POST',
        url,
        headers: { ...admin, 'content-type': 'application/json' },
        payload: `{"items":${deep},"name":${deep}}`,
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const big = await f.app.inject({
      method: 'POST',
      url: '/v1/desired-states',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ items: ['x'.repeat(3 * 1024 * 1024)] }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('an unsupported media type is a 415 problem', async () => {
    const res = await f.app.inject({
      method: 'PUT',
      url: '/v1/agents/a1/desired-state',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});

describe('agents', () => {
  test('GET /v1/agents/{id} shows signals with since and source, findings with facts, desired state', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/v1/agents/a2', headers: admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.signals.presence).toEqual({
      value: { system: 'ON_QUEUE', definitionId: null },
      since: '2023-11-14T22:13:20.000Z',
      seenAt: '2023-11-14T22:13:20.000Z',
      source: 'event',
    });
    expect(body.findings).toHaveLength(1);
    expect(body.findings[0]).toMatchObject({
      ruleId: 'on-queue-not-routable',
      facts: [{ signal: 'presence' }],
    });
    expect(body.desiredState).toMatchObject({ presence: 'ON_QUEUE', source: 'wfm', outcome: 'applied' });
    expect(body.machine.health).toBe('desync');
  });

  test('GET /v1/agents/{id} for an unknown agent is 404; a bad id is 400', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/v1/agents/zz', headers: admin })).statusCode).toBe(
      404,
    );
    const bad = await f.app.inject({ method: 'GET', url: '/v1/agents/a%7Bb%7D', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  test('GET /v1/agents filters on the indexes and pages with a cursor', async () => {
    const onQueue = await f.app.inject({
      method: 'GET',
      url: '/v1/agents?presence=ON_QUEUE',
      headers: admin,
    });
    expect(onQueue.json().agents.map((a: { agentId: string }) => a.agentId)).toEqual(['a1', 'a2']);
    const rule = await f.app.inject({
      method: 'GET',
      url: '/v1/agents?rule=on-queue-not-routable',
      headers: admin,
    });
    expect(rule.json().agents).toEqual([
      expect.objectContaining({
        agentId: 'a2',
        openFindings: ['on-queue-not-routable'],
        routingStatus: 'OFF_QUEUE',
      }),
    ]);
    const queue = await f.app.inject({
      method: 'GET',
      url: '/v1/agents?queue=q1&routingStatus=IDLE',
      headers: admin,
    });
    expect(queue.json().agents.map((a: { agentId: string }) => a.agentId)).toEqual(['a1']);

    const first = await f.app.inject({ method: 'GET', url: '/v1/agents?limit=2', headers: admin });
    const page1 = first.json();
    expect(page1.agents.map((a: { agentId: string }) => a.agentId)).toEqual(['a1', 'a2']);
    expect(typeof page1.nextCursor).toBe('string');
    const second = await f.app.inject({
      method: 'GET',
      url: `/v1/agents?limit=2&cursor=${page1.nextCursor}`,
      headers: admin,
    });
    expect(second.json()).toEqual({ agents: [expect.objectContaining({ agentId: 'a3' })], nextCursor: null });
  });

  test('GET /v1/agents refuses a limit over 500, an unknown filter and a forged cursor', async () => {
    for (const q of ['limit=501', 'colour=red', 'cursor=abc', 'presence=SLEEPING']) {
      const res = await f.app.inject({ method: 'GET', url: `/v1/agents?${q}`, headers: admin });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().code, q).toBe('VALIDATION_FAILED');
    }
  });

  test('history is paged newest first and filtered by kind', async () => {
    await seedAgent(f.store, 'h1', { at: 1_700_000_000_000 });
    await seedAgent(f.store, 'h1', { at: 1_700_000_001_000, version: 1, presence: 'BREAK' });
    const page = await f.app.inject({ method: 'GET', url: '/v1/agents/h1/history?limit=1', headers: admin });
    const body = page.json();
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({ version: 2, kinds: ['signal'] });
    const next = await f.app.inject({
      method: 'GET',
      url: `/v1/agents/h1/history?limit=1&cursor=${body.nextCursor}`,
      headers: admin,
    });
    expect(next.json().entries[0].version).toBe(1);
    const corrections = await f.app.inject({
      method: 'GET',
      url: '/v1/agents/h1/history?kind=correction',
      headers: admin,
    });
    expect(corrections.json()).toEqual({ entries: [], nextCursor: null });
    const unknown = await f.app.inject({ method: 'GET', url: '/v1/agents/nobody/history', headers: admin });
    expect(unknown.statusCode).toBe(404);
  });

  test('POST /v1/agents/{id}/resync queues a resync command (202) and audits it', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/v1/agents/a1/resync', headers: admin });
    expect(res.statusCode).toBe(202);
    const entries = await f.redis.xrange(f.keys.commandsStream(), '-', '+');
    const last = entries[entries.length - 1]?.[1] ?? [];
    expect(last.slice(0, 4)).toEqual(['agent', 'a1', 'type', 'resync']);
    const audit = await f.redis.xrevrange(f.keys.audit(), '+', '-', 'COUNT', 1);
    expect(audit[0]?.[1]).toEqual(expect.arrayContaining(['key', 'bootstrap', 'action', 'agent.resync']));
  });
});

describe('desired state', () => {
  test('PUT sends a declare command the engine reads (202)', async () => {
    const res = await f.app.inject({
      method: 'PUT',
      url: '/v1/agents/a3/desired-state',
      headers: admin,
      payload: {
        presence: 'ON_QUEUE',
        validFrom: '2030-01-01T09:00:00Z',
        validUntil: '2030-01-01T17:00:00Z',
        reason: 'shift',
        source: 'external-wfm',
      },
    });
    expect(res.statusCode).toBe(202);
    const { commandId } = res.json<{ commandId: string }>();
    const [entry] = await f.redis.xrange(f.keys.commandsStream(), commandId, commandId);
    const fields = entry?.[1] ?? [];
    expect(fields.slice(0, 4)).toEqual(['agent', 'a3', 'type', 'declare']);
    expect(JSON.parse(fields[5] ?? '')).toEqual({
      presence: 'ON_QUEUE',
      by: 'external-wfm',
      at: Date.parse('2030-01-01T09:00:00Z'),
      ttlMs: 8 * 3_600_000,
    });
  });

  test('PUT refuses a validity that ends before it starts, or an unknown agent', async () => {
    const bad = await f.app.inject({
      method: 'PUT',
      url: '/v1/agents/a3/desired-state',
      headers: admin,
      payload: {
        presence: 'ON_QUEUE',
        validFrom: '2030-01-02T00:00:00Z',
        validUntil: '2030-01-01T00:00:00Z',
        source: 's',
      },
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await f.app.inject({
      method: 'PUT',
      url: '/v1/agents/nobody/desired-state',
      headers: admin,
      payload: { presence: 'ON_QUEUE', source: 's' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  test('DELETE clears a declared state; without one it is 404', async () => {
    const res = await f.app.inject({ method: 'DELETE', url: '/v1/agents/a2/desired-state', headers: admin });
    expect(res.statusCode).toBe(202);
    const [entry] = await f.redis.xrange(f.keys.commandsStream(), res.json().commandId, res.json().commandId);
    expect(JSON.parse(entry?.[1][5] ?? '')).toMatchObject({ presence: 'ON_QUEUE', ttlMs: 1 });
    const none = await f.app.inject({ method: 'DELETE', url: '/v1/agents/a1/desired-state', headers: admin });
    expect(none.statusCode).toBe(404);
  });

  test('bulk: a bad item refuses only itself', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/desired-states',
      headers: admin,
      payload: {
        items: [
          { agentId: 'a1', presence: 'ON_QUEUE', source: 'wfm' },
          { agentId: 'a2', presence: 'NAPPING', source: 'wfm' },
          { agentId: 'ghost', presence: 'ON_QUEUE', source: 'wfm' },
          42,
          { agentId: 'a3', presence: 'BREAK', source: 'wfm' },
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.refused).toBe(3);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'refused',
      'refused',
      'refused',
      'accepted',
    ]);
    expect(body.results[1]).toMatchObject({ agentId: 'a2', status: 'refused' });
    expect(body.results[1].problems.join(' ')).toContain('presence');
    expect(body.results[3]).toMatchObject({ agentId: null, status: 'refused' });
  });

  test('bulk refuses more than 1,000 items as a whole', async () => {
    const items = Array.from({ length: 1_001 }, () => ({ agentId: 'a1', presence: 'ON_QUEUE', source: 'x' }));
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/desired-states',
      headers: admin,
      payload: { items },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('findings and rules', () => {
  test('GET /v1/findings lists open findings with facts and filters by rule and severity', async () => {
    const all = await f.app.inject({ method: 'GET', url: '/v1/findings', headers: admin });
    expect(all.json().findings).toEqual([
      expect.objectContaining({
        agentId: 'a2',
        ruleId: 'on-queue-not-routable',
        status: 'open',
        facts: [expect.any(Object)],
      }),
    ]);
    const critical = await f.app.inject({
      method: 'GET',
      url: '/v1/findings?severity=critical',
      headers: admin,
    });
    expect(critical.json().findings).toEqual([]);
  });

  test('GET /v1/findings?status=resolved lists the findings that closed, newest first', async () => {
    await seedAgent(f.store, 'r1', { findings: [finding('r1', 'stuck-not-responding', 1_700_000_000_100)] });
    await seedAgent(f.store, 'r1', { version: 1, at: 1_700_000_005_000 });
    const res = await f.app.inject({ method: 'GET', url: '/v1/findings?status=resolved', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().findings).toEqual([
      expect.objectContaining({
        agentId: 'r1',
        ruleId: 'stuck-not-responding',
        status: 'resolved',
        openedAt: '2023-11-14T22:13:20.100Z',
        resolvedAt: '2023-11-14T22:13:25.000Z',
      }),
    ]);
    const open = await f.app.inject({ method: 'GET', url: '/v1/findings?agentId=r1', headers: admin });
    expect(open.json().findings).toEqual([]);
    const bad = await f.app.inject({
      method: 'GET',
      url: '/v1/findings?status=resolved&severity=critical',
      headers: admin,
    });
    expect(bad.statusCode).toBe(400);
  });

  test('PUT /v1/rules/{id} stores the override, audits it and GET /v1/rules shows it in force', async () => {
    const res = await f.app.inject({
      method: 'PUT',
      url: '/v1/rules/stuck-not-responding',
      headers: admin,
      payload: { graceMs: 5_000, severity: 'critical' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: 'stuck-not-responding',
      graceMs: 5_000,
      severity: 'critical',
      overridden: true,
    });
    const list = await f.app.inject({ method: 'GET', url: '/v1/rules', headers: admin });
    const rule = list.json().rules.find((r: { id: string }) => r.id === 'stuck-not-responding');
    expect(rule).toMatchObject({ graceMs: 5_000, action: 'correct' });
    const bad = await f.app.inject({
      method: 'PUT',
      url: '/v1/rules/no-such-rule',
      headers: admin,
      payload: { enabled: false },
    });
    expect(bad.statusCode).toBe(400);
    const empty = await f.app.inject({
      method: 'PUT',
      url: '/v1/rules/stuck-not-responding',
      headers: admin,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });
});

describe('health and metrics', () => {
  test('healthz is public; readyz reports a shard without an engine heartbeat; metrics count requests', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    const ready = await f.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      ready: false,
      redis: { ok: true },
      engines: [{ shard: 0, ok: false }],
    });
    await f.redis.set(f.keys.lease('engine:shard:0'), 'x', 'PX', 10_000);
    // A live lease, but no status from the engine yet: its Genesys channels are unknown.
    const noStatus = await f.app.inject({ method: 'GET', url: '/readyz' });
    expect(noStatus.statusCode).toBe(503);
    expect(noStatus.json()).toMatchObject({
      engines: [{ shard: 0, ok: true }],
      genesys: [{ shard: 0, ok: false, detail: 'no engine status reported' }],
    });
    const statuses = createEngineStatusStore({ redis: f.redis, keys: f.keys });
    const report = (connected: number) =>
      statuses.publish(
        { instance: 'engine', shard: 0, ready: true, agents: 40, channels: { connected, total: 2 }, at: 0 },
        10_000,
      );
    await report(1);
    const reconnecting = await f.app.inject({ method: 'GET', url: '/readyz' });
    expect(reconnecting.statusCode).toBe(503);
    expect(reconnecting.json().genesys).toEqual([
      {
        shard: 0,
        ok: false,
        detail: '1 of 2 channels connected (reconnecting)',
        channelsConnected: 1,
        channels: 2,
      },
    ]);
    await report(2);
    const after = await f.app.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({
      ready: true,
      genesys: [{ shard: 0, ok: true, channelsConnected: 2 }],
    });
    const metrics = await f.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('lockstep_admin_api_request_duration_seconds_bucket');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });
});
