import { type RedisServer, startRedis } from '@lockstep/testkit';
import {
  buildSystemAlert,
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
  signingSecrets,
} from '@lockstep/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOOTSTRAP, bearer, type Fixture, liveEngine, startFixture } from './testing/fixture.js';

let server: RedisServer;
let f: Fixture;
let open: Fixture;
const PREFIX = `wh-api-${process.pid}:`;
const admin = bearer(BOOTSTRAP);
const KNOWN = `whsec_${Buffer.from('lockstep-api-test-webhook-secret').toString('base64')}`;

beforeAll(async () => {
  server = await startRedis();
  f = await startFixture(server, {}, PREFIX);
  // On-premises policy: http allowed, 127.0.0.1/32 and 169.254.0.0/16 exempted (the metadata address stays refused).
  open = await startFixture(server, {
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32,169.254.0.0/16',
  });
});
afterAll(async () => {
  await open?.close();
  await f?.close();
  await server?.stop();
});

type Webhook = {
  id: string;
  url: string;
  secret?: string;
  enabled: boolean;
  eventTypes: string[];
  minSeverity: string | null;
  backlog: { queued: number; oldestQueuedAt: string | null; deadLetters: number };
};

async function create(body: Record<string, unknown>, app = f.app) {
  return app.inject({ method: 'POST', url: '/v1/webhooks', headers: admin, payload: body });
}

async function created(body: Record<string, unknown> = {}): Promise<Webhook> {
  const res = await create({ url: 'https://hooks.example.com/lockstep', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Webhook>();
}

const lib = () => ({
  subscriptions: createSubscriptionStore({
    redis: f.redis,
    keys: createWebhookKeys(PREFIX),
    ssrf: { allowHttp: false, allowedCidrs: [] },
  }),
  deliveries: createDeliveryQueue({ redis: f.redis, keys: createWebhookKeys(PREFIX) }),
});

describe('POST /v1/webhooks', () => {
  test('creates a subscription: 201 with the secret, which GET never shows again', async () => {
    const res = await create({
      url: 'https://hooks.example.com/lockstep?token=path-credential',
      eventTypes: ['finding.opened', 'finding.resolved'],
      minSeverity: 'warning',
      filters: { ruleIds: ['stuck-not-responding'] },
      description: 'on-call',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<Webhook>();
    expect(body).toMatchObject({
      url: 'https://hooks.example.com/lockstep?token=path-credential',
      eventTypes: ['finding.opened', 'finding.resolved'],
      minSeverity: 'warning',
      enabled: true,
      filters: { ruleIds: ['stuck-not-responding'], queueIds: [] },
      backlog: { queued: 0, oldestQueuedAt: null, deadLetters: 0 },
    });
    expect(body.id).toMatch(/^wh_/);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const one = await f.app.inject({ method: 'GET', url: `/v1/webhooks/${body.id}`, headers: admin });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: body.id, description: 'on-call' });
    const list = await f.app.inject({ method: 'GET', url: '/v1/webhooks', headers: admin });
    expect(list.json<{ webhooks: Webhook[] }>().webhooks.map((w) => w.id)).toContain(body.id);
    for (const text of [one.body, list.body]) expect(text).not.toContain(body.secret?.slice(6));
  });

  test('takes a caller-provided whsec_ secret, which then signs', async () => {
    const body = await created({ secret: KNOWN });
    expect(body.secret).toBe(KNOWN);
    const record = await lib().subscriptions.getRecord(body.id);
    expect(signingSecrets(record!, Date.now())).toEqual([KNOWN]);
  });

  test('a bad secret is a 400 naming the rule, never echoing the value', async () => {
    for (const bad of [
      `whsec_${Buffer.alloc(16, 1).toString('base64')}`,
      `whsec_${Buffer.alloc(80, 1).toString('base64')}`,
      'plain-text-secret-value-long-enough-0123',
    ]) {
      const res = await create({ url: 'https://hooks.example.com/x', secret: bad });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [
          { location: 'body/secret', message: 'must be whsec_ followed by the base64 of 24-64 bytes' },
        ],
      });
      expect(res.body).not.toContain(bad);
    }
  });

  test('a bad body lists every problem at once and writes nothing', async () => {
    const before = (await lib().subscriptions.list()).length;
    const res = await create({
      url: 42,
      eventTypes: ['finding.exploded'],
      minSeverity: 'loud',
      filters: { teams: ['x'] },
      extra: true,
    });
    expect(res.statusCode).toBe(400);
    const locations = res
      .json<{ errors: { location: string }[] }>()
      .errors.map((e) => e.location)
      .join(' ');
    for (const field of ['url', 'eventTypes', 'minSeverity', 'filters']) expect(locations).toContain(field);
    expect((await f.app.inject({ method: 'POST', url: '/v1/webhooks', headers: admin })).statusCode).toBe(
      400,
    );
    expect((await lib().subscriptions.list()).length).toBe(before);
  });
});

// Every refused destination through the route: a 422 URL_REFUSED problem naming why, nothing written.
const REFUSED: readonly [string, RegExp][] = [
  ['http://hooks.example.com/x', /only https URLs are accepted/],
  ['ftp://hooks.example.com/x', /only https URLs are accepted/],
  ['not a url', /not a valid absolute URL/],
  ['https://user:pw@hooks.example.com/x', /credentials/],
  ['https://127.0.0.1/x', /loopback/],
  ['https://10.1.2.3/x', /private/],
  ['https://172.16.0.1/x', /private/],
  ['https://192.168.1.1/x', /private/],
  ['https://169.254.10.1/x', /linkLocal/],
  ['https://169.254.169.254/latest/meta-data', /metadata/],
  ['https://100.64.0.1/x', /carrierGradeNat/],
  ['https://224.0.0.1/x', /multicast/],
  ['https://0.0.0.0/x', /unspecified/],
  ['https://255.255.255.255/x', /broadcast/],
  ['https://192.0.2.1/x', /reserved/],
  ['https://[::1]/x', /loopback/],
  ['https://[fe80::1]/x', /linkLocal/],
  ['https://[fc00::1]/x', /uniqueLocal/],
  ['https://[fd00:ec2::254]/x', /metadata/],
  ['https://[::ffff:127.0.0.1]/x', /IPv4-mapped form of 127\.0\.0\.1.*loopback/],
  ['https://[64:ff9b::a00:1]/x', /NAT64 form of 10\.0\.0\.1.*private/],
  ['https://[2002:a9fe:a9fe::1]/x', /6to4 form of 169\.254\.169\.254.*metadata/],
  ['https://2130706433/x', /loopback/],
];

describe('SSRF guard through the route', () => {
  test.each(REFUSED)('refuses %s', async (url, why) => {
    const before = (await lib().subscriptions.list()).length;
    const res = await create({ url });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<{
      code: string;
      detail: string;
      errors: { location: string; message: string }[];
    }>();
    expect(body.code).toBe('URL_REFUSED');
    expect(body.detail).toMatch(/^webhook URL refused: /);
    expect(body.detail).toMatch(why);
    expect(body.errors).toEqual([{ location: 'body/url', message: body.detail }]);
    expect((await lib().subscriptions.list()).length).toBe(before);
  });

  test('PATCH to a refused URL is refused too and keeps the old URL', async () => {
    const sub = await created();
    const res = await f.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${sub.id}`,
      headers: admin,
      payload: { url: 'https://[::ffff:10.0.0.1]/x' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/IPv4-mapped form of 10\.0\.0\.1.*private/);
    expect((await lib().subscriptions.get(sub.id)).url).toBe(sub.url);
  });

  test('WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOWED_CIDRS exempt on-premises receivers, never the metadata endpoint', async () => {
    const ok = await create({ url: 'http://127.0.0.1:9000/hook' }, open.app);
    expect(ok.statusCode).toBe(201);
    expect((await create({ url: 'http://169.254.10.1/hook' }, open.app)).statusCode).toBe(201);
    const metadata = await create({ url: 'http://169.254.169.254/latest' }, open.app);
    expect(metadata.statusCode).toBe(422);
    expect(metadata.json().detail).toMatch(/metadata/);
    const lan = await create({ url: 'http://10.0.0.1/hook' }, open.app);
    expect(lan.statusCode).toBe(422);
    expect(lan.json().detail).toMatch(/private/);
  });
});

describe('GET, PATCH, DELETE /v1/webhooks/{id}', () => {
  test('PATCH changes fields and re-enables; unknown ids are 404; bad ids and bodies 400', async () => {
    const sub = await created();
    const patched = await f.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${sub.id}`,
      headers: admin,
      payload: { enabled: false, minSeverity: 'critical', description: 'paused' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ enabled: false, minSeverity: 'critical', description: 'paused' });
    expect((await lib().subscriptions.get(sub.id)).enabled).toBe(false);
    const again = await f.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${sub.id}`,
      headers: admin,
      payload: { enabled: true },
    });
    expect(again.json()).toMatchObject({ enabled: true, disabledReason: null });

    const empty = await f.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${sub.id}`,
      headers: admin,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const secret = await f.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${sub.id}`,
      headers: admin,
      payload: { secret: KNOWN },
    });
    expect(secret.statusCode).toBe(400);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const missing = await f.app.inject({
        method,
        url: '/v1/webhooks/wh_missing',
        headers: admin,
        ...(method === 'PATCH' ? { payload: { description: 'x' } } : {}),
      });
      expect(missing.statusCode, method).toBe(404);
      expect(missing.json().code).toBe('NOT_FOUND');
      const bad = await f.app.inject({ method, url: '/v1/webhooks/%7Bnope%7D', headers: admin });
      expect(bad.statusCode, method).toBe(400);
      expect(bad.json().errors[0].location).toBe('params/id');
    }
  });

  test('DELETE removes the subscription and its queue: 204, then 404', async () => {
    const sub = await created();
    const { deliveries } = lib();
    await deliveries.enqueue(sub.id, buildSystemAlert('webhook.test', `del:${sub.id}`, Date.now(), {}));
    expect((await deliveries.backlog(sub.id)).count).toBe(1);
    const res = await f.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}`, headers: admin });
    expect(res.statusCode).toBe(204);
    expect((await deliveries.backlog(sub.id)).count).toBe(0);
    expect(
      (await f.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}`, headers: admin })).statusCode,
    ).toBe(404);
  });
});

describe('test, rotate-secret, deliveries', () => {
  test('POST /test queues one webhook.test alert for this subscription only; a disabled one is a 409', async () => {
    const sub = await created();
    const other = await created();
    const res = await f.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test`, headers: admin });
    expect(res.statusCode).toBe(202);
    const { alertId } = res.json<{ alertId: string }>();
    expect(res.json()).toMatchObject({ subscriptionId: sub.id, type: 'webhook.test' });
    const record = await lib().deliveries.get(sub.id, alertId);
    expect(record).toMatchObject({ type: 'webhook.test', state: 'pending' });
    expect(JSON.parse(record!.body)).toMatchObject({
      type: 'webhook.test',
      data: { subscriptionId: sub.id },
    });
    expect((await lib().deliveries.backlog(other.id)).count).toBe(0);
    const view = await f.app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}`, headers: admin });
    expect(view.json<Webhook>().backlog.queued).toBe(1);

    await lib().subscriptions.disable(sub.id, 'receiver answered 410 Gone');
    const disabled = await f.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${sub.id}/test`,
      headers: admin,
    });
    expect(disabled.statusCode).toBe(409);
    expect(disabled.json()).toMatchObject({ code: 'CONFLICT' });
    expect(disabled.json().detail).toContain('410 Gone');
    const missing = await f.app.inject({ method: 'POST', url: '/v1/webhooks/wh_none/test', headers: admin });
    expect(missing.statusCode).toBe(404);
  });

  test('POST /rotate-secret returns a new secret; the old one signs for 24 h by default, or the given overlap', async () => {
    const sub = await created({ secret: KNOWN });
    const before = Date.now();
    const res = await f.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${sub.id}/rotate-secret`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ secret: string; previousSecretExpiresAt: string }>();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(KNOWN);
    const expires = Date.parse(body.previousSecretExpiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const record = await lib().subscriptions.getRecord(sub.id);
    expect(signingSecrets(record!, Date.now())).toEqual([body.secret, KNOWN]);
    const shown = await f.app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}`, headers: admin });
    expect(shown.json().previousSecretExpiresAt).toBe(body.previousSecretExpiresAt);

    const now = await f.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${sub.id}/rotate-secret`,
      headers: admin,
      payload: { overlapMs: 0 },
    });
    expect(now.json()).toMatchObject({ previousSecretExpiresAt: null });
    const latest = now.json<{ secret: string }>().secret;
    expect(signingSecrets((await lib().subscriptions.getRecord(sub.id))!, Date.now())).toEqual([latest]);
    const tooLong = await f.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${sub.id}/rotate-secret`,
      headers: admin,
      payload: { overlapMs: 8 * 24 * 3_600_000 },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(
      (await f.app.inject({ method: 'POST', url: '/v1/webhooks/wh_none/rotate-secret', headers: admin }))
        .statusCode,
    ).toBe(404);
  });

  test('GET /deliveries shows the bounded delivery log, newest first, with the backlog', async () => {
    const sub = await created();
    const { deliveries } = lib();
    for (const [i, status] of [
      [1, 503],
      [2, 200],
    ] as const) {
      await deliveries.enqueue(
        sub.id,
        buildSystemAlert('webhook.test', `log:${sub.id}:${i}`, Date.now(), {}),
      );
      const [claimed] = await deliveries.claimDue(sub.id, `token-${i}`, 10_000, 1);
      await deliveries.finish(claimed!, {
        outcome: status === 200 ? 'delivered' : 'retry',
        nextAttemptAt: Date.now(),
        log: {
          alertId: claimed!.record.alertId,
          type: 'webhook.test',
          at: 1_700_000_000_000 + i,
          attempt: 1,
          status,
          error: null,
          latencyMs: 12,
          outcome: status === 200 ? 'delivered' : 'retry',
          excerpt: status === 200 ? 'ok' : 'busy',
        },
      });
    }
    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/webhooks/${sub.id}/deliveries?limit=5`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      deliveries: { status: number; at: string; outcome: string }[];
      backlog: object;
    }>();
    expect(body.deliveries.map((d) => [d.status, d.outcome])).toEqual([
      [200, 'delivered'],
      [503, 'retry'],
    ]);
    expect(body.deliveries[0]?.at).toBe('2023-11-14T22:13:20.002Z');
    const one = await f.app.inject({
      method: 'GET',
      url: `/v1/webhooks/${sub.id}/deliveries?limit=1`,
      headers: admin,
    });
    expect(one.json().deliveries).toHaveLength(1);
    for (const q of ['limit=0', 'limit=1001', 'limit=x']) {
      const bad = await f.app.inject({
        method: 'GET',
        url: `/v1/webhooks/${sub.id}/deliveries?${q}`,
        headers: admin,
      });
      expect(bad.statusCode, q).toBe(400);
    }
    expect(
      (await f.app.inject({ method: 'GET', url: '/v1/webhooks/wh_none/deliveries', headers: admin }))
        .statusCode,
    ).toBe(404);
  });
});

describe('dead letters', () => {
  test('GET /dead-letters lists them newest first; replay puts one back; recover replays since a time', async () => {
    const sub = await created();
    const other = await created();
    const { deliveries } = lib();
    const alerts = [1, 2, 3].map((i) =>
      buildSystemAlert('webhook.test', `dead:${sub.id}:${i}`, Date.now(), { i }),
    );
    for (const a of alerts) await deliveries.enqueue(sub.id, a, 'suppressed');
    await deliveries.enqueue(
      other.id,
      buildSystemAlert('webhook.test', `dead:${other.id}`, Date.now(), {}),
      'suppressed',
    );

    const all = await f.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: admin });
    expect(all.statusCode).toBe(200);
    const listed = all.json<{
      deadLetters: { id: string; subscriptionId: string; type: string; lastStatus: string }[];
    }>().deadLetters;
    expect(listed.filter((d) => d.subscriptionId === sub.id)).toHaveLength(3);
    expect(listed.filter((d) => d.subscriptionId === other.id)).toHaveLength(1);
    expect(listed[0]).toMatchObject({ type: 'webhook.test', lastStatus: 'suppressed' });
    const mine = await f.app.inject({
      method: 'GET',
      url: `/v1/dead-letters?subscriptionId=${sub.id}&limit=2`,
      headers: admin,
    });
    expect(mine.json().deadLetters).toHaveLength(2);
    const future = await f.app.inject({
      method: 'GET',
      url: `/v1/dead-letters?since=2999-01-01T00:00:00Z`,
      headers: admin,
    });
    expect(future.json().deadLetters).toEqual([]);

    const target = `${sub.id}:${alerts[0]!.id}`;
    const replayed = await f.app.inject({
      method: 'POST',
      url: `/v1/dead-letters/${target}/replay`,
      headers: admin,
    });
    expect(replayed.statusCode).toBe(202);
    expect(await deliveries.get(sub.id, alerts[0]!.id)).toMatchObject({ state: 'pending', attempts: 0 });
    const twice = await f.app.inject({
      method: 'POST',
      url: `/v1/dead-letters/${target}/replay`,
      headers: admin,
    });
    expect(twice.statusCode).toBe(404);

    const recovered = await f.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${sub.id}/recover`,
      headers: admin,
      payload: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(recovered.statusCode).toBe(202);
    expect(recovered.json()).toMatchObject({ subscriptionId: sub.id, replayed: 2 });
    expect((await deliveries.backlog(sub.id)).count).toBe(3);
    expect((await deliveries.backlog(other.id)).dead).toBe(1);
  });

  test('bad ids, times and unknown subscriptions are 4xx problems', async () => {
    const cases: [string, string, unknown, number][] = [
      ['GET', '/v1/dead-letters?since=yesterday', undefined, 400],
      ['GET', '/v1/dead-letters?limit=501', undefined, 400],
      ['GET', '/v1/dead-letters?subscriptionId=nope', undefined, 400],
      ['GET', '/v1/dead-letters?subscriptionId=wh_none', undefined, 404],
      ['POST', '/v1/dead-letters/no-colon/replay', undefined, 400],
      ['POST', '/v1/dead-letters/wh_none:msg_x/replay', undefined, 404],
      ['POST', '/v1/webhooks/wh_none/recover', { since: '2026-01-01T00:00:00Z' }, 404],
      ['POST', '/v1/webhooks/wh_none/recover', { since: 'last week' }, 400],
      ['POST', '/v1/webhooks/wh_none/recover', {}, 400],
    ];
    for (const [method, url, payload, status] of cases) {
      const res = await f.app.inject({
        method: method as 'GET',
        url,
        headers: admin,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('audit, logs and readiness', () => {
  test('every write is audited with the key id, never with a secret or the URL path', async () => {
    const sub = await created({ secret: KNOWN, url: 'https://hooks.example.com/path-token-123' });
    const rotated = await f.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${sub.id}/rotate-secret`,
      headers: admin,
    });
    const fresh = rotated.json<{ secret: string }>().secret;
    await f.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test`, headers: admin });
    await f.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${sub.id}`,
      headers: admin,
      payload: { description: 'x' },
    });
    await f.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}`, headers: admin });
    const entries = (await f.redis.xrevrange(f.keys.audit(), '+', '-', 'COUNT', 200)).filter(([, fields]) =>
      fields.includes(sub.id),
    );
    const actions = entries.map(([, fields]) => fields[fields.indexOf('action') + 1]).reverse();
    expect(actions).toEqual([
      'webhook.create',
      'webhook.rotate-secret',
      'webhook.test',
      'webhook.update',
      'webhook.delete',
    ]);
    for (const [, fields] of entries) expect(fields[fields.indexOf('key') + 1]).toBe('bootstrap');
    const text = JSON.stringify(entries) + f.logs.join('');
    for (const secret of [KNOWN, KNOWN.slice(6), fresh, fresh.slice(6), 'path-token-123']) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.stringify(entries)).toContain('https://hooks.example.com');
  });

  test("readyz reports the notifier's backlog as its own check without failing readiness on it", async () => {
    const shard = await startFixture(server);
    try {
      await liveEngine(shard, 60_000);
      const empty = await shard.app.inject({ method: 'GET', url: '/readyz' });
      expect(empty.statusCode).toBe(200);
      expect(empty.json().notifier).toMatchObject({
        ok: true,
        queued: 0,
        oldestUndeliveredAgeSeconds: null,
        subscriptions: 0,
      });
      const sub = (
        await shard.app.inject({
          method: 'POST',
          url: '/v1/webhooks',
          headers: admin,
          payload: { url: 'https://hooks.example.com/r' },
        })
      ).json<Webhook>();
      const keys = createWebhookKeys(shard.keys.prefix);
      const deliveries = createDeliveryQueue({ redis: shard.redis, keys, now: () => Date.now() - 3_600_000 });
      await deliveries.enqueue(sub.id, buildSystemAlert('webhook.test', 'old', Date.now(), {}));
      await deliveries.enqueue(
        sub.id,
        buildSystemAlert('webhook.test', 'old2', Date.now(), {}),
        'suppressed',
      );
      const stale = await shard.app.inject({ method: 'GET', url: '/readyz' });
      expect(stale.statusCode).toBe(200);
      const body = stale.json();
      expect(body.ready).toBe(true);
      expect(body.notifier).toMatchObject({ ok: false, queued: 1, deadLetters: 1, subscriptions: 1 });
      expect(body.notifier.oldestUndeliveredAgeSeconds).toBeGreaterThanOrEqual(3_600);
      expect(body.notifier.detail).toMatch(/1 alerts undelivered, the oldest for 36\d\d s/);
      // A subscription document that cannot be read is reported in the notifier check, not as Redis down.
      await shard.redis.hset(keys.subscription('wh_corrupt'), 'doc', '{not json');
      await shard.redis.sadd(keys.subscriptions(), 'wh_corrupt');
      const corrupt = await shard.app.inject({ method: 'GET', url: '/readyz' });
      expect(corrupt.statusCode).toBe(200);
      expect(corrupt.json()).toMatchObject({ ready: true, redis: { ok: true }, notifier: { ok: false } });
      expect(corrupt.json().notifier.detail).toMatch(
        /^backlog not read: stored webhook data .* cannot be decoded/,
      );
    } finally {
      await shard.close();
    }
  });
});
