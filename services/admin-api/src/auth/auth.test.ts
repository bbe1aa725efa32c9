import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOOTSTRAP, bearer, type Fixture, seedAgent, startFixture } from '../testing/fixture.js';
import type { Scope } from './api-keys.js';

let server: RedisServer;
let f: Fixture;
const keys: Record<Scope, string> = { read: '', operate: '', admin: '' };

beforeAll(async () => {
  server = await startRedis();
  f = await startFixture(server);
  await seedAgent(f.store, 'a1');
  for (const scope of ['read', 'operate', 'admin'] as const) {
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(BOOTSTRAP),
      payload: { name: `${scope} key`, scopes: [scope] },
    });
    expect(res.statusCode).toBe(201);
    keys[scope] = res.json<{ key: string }>().key;
  }
});
afterAll(async () => {
  await f?.close();
  await server?.stop();
});

/** Every authenticated route with the scope it needs and a request that passes validation. */
const ROUTES: { method: string; url: string; path: string; scope: Scope; payload?: unknown }[] = [
  { method: 'GET', url: '/v1/agents', path: '/v1/agents', scope: 'read' },
  { method: 'GET', url: '/v1/agents/a1', path: '/v1/agents/{id}', scope: 'read' },
  { method: 'GET', url: '/v1/agents/a1/history', path: '/v1/agents/{id}/history', scope: 'read' },
  { method: 'POST', url: '/v1/agents/a1/resync', path: '/v1/agents/{id}/resync', scope: 'operate' },
  {
    method: 'PUT',
    url: '/v1/agents/a1/desired-state',
    path: '/v1/agents/{id}/desired-state',
    scope: 'operate',
    payload: { presence: 'ON_QUEUE', source: 'test' },
  },
  {
    method: 'DELETE',
    url: '/v1/agents/a1/desired-state',
    path: '/v1/agents/{id}/desired-state',
    scope: 'operate',
  },
  {
    method: 'POST',
    url: '/v1/desired-states',
    path: '/v1/desired-states',
    scope: 'operate',
    payload: { items: [{ agentId: 'a1', presence: 'ON_QUEUE', source: 'test' }] },
  },
  { method: 'GET', url: '/v1/findings', path: '/v1/findings', scope: 'read' },
  { method: 'GET', url: '/v1/incidents', path: '/v1/incidents', scope: 'read' },
  { method: 'GET', url: '/v1/incidents/incident:x:1', path: '/v1/incidents/{id}', scope: 'read' },
  { method: 'GET', url: '/v1/rules', path: '/v1/rules', scope: 'read' },
  {
    method: 'PUT',
    url: '/v1/rules/state-not-sticking',
    path: '/v1/rules/{id}',
    scope: 'admin',
    payload: { enabled: true },
  },
  { method: 'GET', url: '/v1/keys', path: '/v1/keys', scope: 'admin' },
  {
    method: 'POST',
    url: '/v1/keys',
    path: '/v1/keys',
    scope: 'admin',
    payload: { name: 'k', scopes: ['read'] },
  },
  { method: 'DELETE', url: '/v1/keys/0123456789abcdef', path: '/v1/keys/{id}', scope: 'admin' },
  {
    method: 'POST',
    url: '/v1/webhooks',
    path: '/v1/webhooks',
    scope: 'admin',
    payload: { url: 'https://hooks.example.com/a' },
  },
  { method: 'GET', url: '/v1/webhooks', path: '/v1/webhooks', scope: 'admin' },
  { method: 'GET', url: '/v1/webhooks/wh_x', path: '/v1/webhooks/{id}', scope: 'admin' },
  {
    method: 'PATCH',
    url: '/v1/webhooks/wh_x',
    path: '/v1/webhooks/{id}',
    scope: 'admin',
    payload: { description: 'd' },
  },
  { method: 'DELETE', url: '/v1/webhooks/wh_x', path: '/v1/webhooks/{id}', scope: 'admin' },
  { method: 'POST', url: '/v1/webhooks/wh_x/test', path: '/v1/webhooks/{id}/test', scope: 'admin' },
  {
    method: 'POST',
    url: '/v1/webhooks/wh_x/rotate-secret',
    path: '/v1/webhooks/{id}/rotate-secret',
    scope: 'admin',
  },
  {
    method: 'GET',
    url: '/v1/webhooks/wh_x/deliveries',
    path: '/v1/webhooks/{id}/deliveries',
    scope: 'admin',
  },
  {
    method: 'POST',
    url: '/v1/webhooks/wh_x/recover',
    path: '/v1/webhooks/{id}/recover',
    scope: 'admin',
    payload: { since: '2026-01-01T00:00:00Z' },
  },
  { method: 'GET', url: '/v1/dead-letters', path: '/v1/dead-letters', scope: 'admin' },
  {
    method: 'POST',
    url: '/v1/dead-letters/wh_x:msg_y/replay',
    path: '/v1/dead-letters/{id}/replay',
    scope: 'admin',
  },
];

const RANK: Record<Scope, number> = { read: 0, operate: 1, admin: 2 };

describe('auth matrix', () => {
  test('the matrix covers every authenticated route of the OpenAPI document', async () => {
    const doc = (await f.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>();
    const secured = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => (op.security ?? []).length > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(new Set(secured)).toEqual(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)));
  });

  for (const route of ROUTES) {
    test(`${route.method} ${route.url} needs ${route.scope}`, async () => {
      const call = (headers: Record<string, string>) =>
        f.app.inject({
          method: route.method as 'GET',
          url: route.url,
          headers,
          ...(route.payload === undefined ? {} : { payload: route.payload as object }),
        });
      const none = await call({});
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.json().code).toBe('UNAUTHORIZED');
      const forged = await call(bearer(`lsk_0123456789abcdef_${'A'.repeat(43)}`));
      expect(forged.statusCode).toBe(401);
      const basic = await call({ authorization: `Basic ${keys.admin}` });
      expect(basic.statusCode).toBe(401);
      for (const scope of ['read', 'operate', 'admin'] as const) {
        const res = await call(bearer(keys[scope]));
        if (RANK[scope] >= RANK[route.scope]) expect([401, 403], scope).not.toContain(res.statusCode);
        else {
          expect(res.statusCode, scope).toBe(403);
          expect(res.json().code).toBe('FORBIDDEN');
        }
      }
    });
  }
});

describe('keys', () => {
  test('a created key is random, shown once, listed without the key, and dead once revoked', async () => {
    const created = await f.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(keys.admin),
      payload: { name: 'ci', scopes: ['read'] },
    });
    const { id, key } = created.json<{ id: string; key: string }>();
    expect(key).toMatch(/^lsk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const stored = await f.redis.hget(f.keys.apiKeys(), id);
    expect(stored).not.toContain(key.split('_')[2]);
    const list = await f.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(keys.admin) });
    expect(list.body).not.toContain(key);
    expect(list.json().keys.map((k: { id: string }) => k.id)).toContain(id);
    expect((await f.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) })).statusCode).toBe(
      200,
    );
    const revoked = await f.app.inject({
      method: 'DELETE',
      url: `/v1/keys/${id}`,
      headers: bearer(keys.admin),
    });
    expect(revoked.statusCode).toBe(204);
    expect((await f.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) })).statusCode).toBe(
      401,
    );
    const again = await f.app.inject({
      method: 'DELETE',
      url: `/v1/keys/${id}`,
      headers: bearer(keys.admin),
    });
    expect(again.statusCode).toBe(404);
  });

  test('every write is audited with the key id that made it', async () => {
    const me = (await f.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(keys.admin) }))
      .json<{ keys: { id: string; name: string }[] }>()
      .keys.find((k) => k.name === 'admin key');
    await f.app.inject({
      method: 'PUT',
      url: '/v1/rules/state-not-sticking',
      headers: bearer(keys.admin),
      payload: { severity: 'critical' },
    });
    const [entry] = await f.redis.xrevrange(f.keys.audit(), '+', '-', 'COUNT', 1);
    expect(entry?.[1]).toEqual(
      expect.arrayContaining(['key', me?.id, 'action', 'rule.update', 'target', 'state-not-sticking']),
    );
  });

  test('no key ever appears in the log lines', async () => {
    const created = await f.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(BOOTSTRAP),
      payload: { name: 'logged?', scopes: ['admin'] },
    });
    const { key } = created.json<{ key: string }>();
    await f.app.inject({ method: 'GET', url: '/v1/agents/a1', headers: bearer(key) });
    await f.app.inject({ method: 'GET', url: '/v1/agents/a1', headers: bearer(`${key}x`) });
    f.app.log.info({ headers: { authorization: `Bearer ${key}` }, key, secret: key }, 'probe');
    const text = f.logs.join('');
    expect(text).toContain('probe');
    expect(text).toContain('/v1/agents/a1');
    for (const secret of [key, key.slice(21), BOOTSTRAP, ...Object.values(keys)]) {
      expect(text).not.toContain(secret);
    }
  });
});
