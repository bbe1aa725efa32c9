import { type AgentAttributes, groupIncidents, type Incident } from '@lockstep/domain';
import { createIncidentStore, type IncidentDoc } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOOTSTRAP, type Fixture, startFixture } from './testing/fixture.js';

let server: RedisServer;
let f: Fixture;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const auth = { authorization: `Bearer ${BOOTSTRAP}` };

/** Incidents as the engine's grouper makes them: three agents with a swap, out of ten watched. */
function incidentsOf(
  ruleId: 'on-queue-without-station' | 'station-not-up-at-shift-start',
  at: number,
): Incident[] {
  const watched: Array<AgentAttributes & { id: string }> = Array.from({ length: 10 }, (_, i) => ({
    id: `${ruleId}-agent-${i}`,
    queueIds: ['q1'],
    scheduleChange24h: i < 3 ? 'swap' : null,
  }));
  const findings = watched.slice(0, 3).map((a, i) => ({
    findingId: `${a.id}:${ruleId}:${at + i}`,
    agentId: a.id,
    ruleId,
    openedAt: at + i,
    resolvedAt: null,
    attributes: a,
  }));
  return [
    ...groupIncidents({
      incidents: [],
      findings,
      baseline: watched,
      now: at + 10,
      settings: { minAgents: 3, windowMs: 60_000 },
    }).incidents,
  ];
}

beforeAll(async () => {
  server = await startRedis();
  f = await startFixture(server);
  const store = createIncidentStore({ redis: f.redis, keys: f.keys });
  const docs = [
    ...incidentsOf('on-queue-without-station', T0),
    ...incidentsOf('station-not-up-at-shift-start', T0 + 60_000),
  ] as unknown as IncidentDoc[];
  await store.save(docs, []);
});
afterAll(async () => {
  await f?.close();
  await server?.stop();
});

describe('incidents', () => {
  test('GET /v1/incidents lists open incidents, newest first, with their agents and common cause', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/v1/incidents', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ incidents: Array<Record<string, unknown>>; nextCursor: string | null }>();
    expect(body.incidents.map((i) => i['ruleId'])).toEqual([
      'station-not-up-at-shift-start',
      'on-queue-without-station',
    ]);
    expect(body.nextCursor).toBeNull();
    const [newest] = body.incidents;
    expect(newest).toMatchObject({
      status: 'open',
      agents: 3,
      failing: 3,
      openedAt: new Date(T0 + 60_000).toISOString(),
      resolvedAt: null,
    });
    expect((newest?.['commonCause'] as Array<{ text: string }>)[0]?.text).toBe(
      '3/3 had a schedule change in the last 24 h (baseline 30 %)',
    );
    // The members' attributes stay in Redis: the list shows who and when.
    expect(Object.keys((newest?.['members'] as object[])[0] ?? {}).sort()).toEqual([
      'agentId',
      'findingId',
      'openedAt',
      'resolvedAt',
    ]);
    const resolved = await f.app.inject({
      method: 'GET',
      url: '/v1/incidents?status=resolved',
      headers: auth,
    });
    expect(resolved.json<{ incidents: unknown[] }>().incidents).toEqual([]);
  });

  test('pages with a cursor; a cursor not returned by a page is a 400 problem', async () => {
    const first = await f.app.inject({ method: 'GET', url: '/v1/incidents?limit=1', headers: auth });
    const page1 = first.json<{ incidents: Array<{ id: string }>; nextCursor: string }>();
    expect(page1.incidents).toHaveLength(1);
    expect(typeof page1.nextCursor).toBe('string');
    const second = await f.app.inject({
      method: 'GET',
      url: `/v1/incidents?limit=1&cursor=${page1.nextCursor}`,
      headers: auth,
    });
    const page2 = second.json<{ incidents: Array<{ id: string }>; nextCursor: string | null }>();
    expect(page2.incidents.map((i) => i.id)).not.toContain(page1.incidents[0]?.id);
    expect(page2.incidents).toHaveLength(1);

    const bad = await f.app.inject({
      method: 'GET',
      url: '/v1/incidents?cursor=bm90LWEtY3Vyc29y',
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });

  test('GET /v1/incidents/{id}: the incident, or a 404 problem', async () => {
    const list = await f.app.inject({ method: 'GET', url: '/v1/incidents?status=all', headers: auth });
    const id = list.json<{ incidents: Array<{ id: string }> }>().incidents[0]?.id ?? '';
    const one = await f.app.inject({
      method: 'GET',
      url: `/v1/incidents/${encodeURIComponent(id)}`,
      headers: auth,
    });
    expect(one.statusCode).toBe(200);
    expect(one.json<{ id: string }>().id).toBe(id);
    const missing = await f.app.inject({
      method: 'GET',
      url: '/v1/incidents/incident:none:1',
      headers: auth,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ code: string }>().code).toBe('NOT_FOUND');
  });
});
