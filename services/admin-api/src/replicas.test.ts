import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BOOTSTRAP, bearer, type Fixture, startFixture } from './testing/fixture.js';

let server: RedisServer;
const apps: Fixture[] = [];
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await server?.stop();
});

test('the per-key limit holds across two replicas sharing one Redis, and keys are counted apart', async () => {
  const env = { ADMIN_API_RATE_LIMIT_MAX: '10', ADMIN_API_RATE_LIMIT_WINDOW_MS: '60000' };
  const prefix = `rl${process.pid}:`;
  const one = await startFixture(server, env, prefix);
  apps.push(one);
  const two = await startFixture(server, env, prefix);
  apps.push(two);
  const created = await one.app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: bearer(BOOTSTRAP),
    payload: { name: 'reader', scopes: ['read'] },
  });
  const { key } = created.json<{ key: string }>();
  const statuses: number[] = [];
  for (let i = 0; i < 14; i++) {
    const app = i % 2 === 0 ? one.app : two.app;
    statuses.push((await app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) })).statusCode);
  }
  expect(statuses.filter((s) => s === 200)).toHaveLength(10);
  expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
  const limited = await two.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) });
  expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  // Another key (the bootstrap key made one request so far) still gets through; health is never limited.
  expect(
    (await two.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(BOOTSTRAP) })).statusCode,
  ).toBe(200);
  expect((await two.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
});

test('a key revoked on one replica stops working on the other within a second', async () => {
  const prefix = `rv${process.pid}:`;
  const one = await startFixture(server, {}, prefix);
  apps.push(one);
  const two = await startFixture(server, {}, prefix);
  apps.push(two);
  const created = await one.app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: bearer(BOOTSTRAP),
    payload: { name: 'short-lived', scopes: ['read'] },
  });
  const { key, id } = created.json<{ key: string; id: string }>();
  expect((await two.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) })).statusCode).toBe(
    200,
  );
  const revoked = await one.app.inject({
    method: 'DELETE',
    url: `/v1/keys/${id}`,
    headers: bearer(BOOTSTRAP),
  });
  expect(revoked.statusCode).toBe(204);
  expect((await one.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) })).statusCode).toBe(
    401,
  );
  await new Promise((r) => setTimeout(r, 1_100));
  expect((await two.app.inject({ method: 'GET', url: '/v1/rules', headers: bearer(key) })).statusCode).toBe(
    401,
  );
});
