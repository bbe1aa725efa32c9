import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.js';
import { createKeys } from './keys.js';
import { createRateBudget, type RateBudgetOptions } from './rate-budget.js';

let server: RedisServer;
let replicaA: Redis;
let replicaB: Redis;
let n = 0;
beforeAll(async () => {
  server = await startRedis();
  replicaA = new Redis(server.url);
  replicaB = new Redis(server.url);
});
afterAll(async () => {
  await replicaA?.quit();
  await replicaB?.quit();
  await server?.stop();
});

/** Two processes' budgets for one OAuth client, each on its own connection, under a fresh prefix. */
function pair(options: Omit<RateBudgetOptions, 'redis' | 'keys' | 'clientId'>) {
  const keys = createKeys(`rb${++n}:`);
  const common = { keys, clientId: 'client-1', ...options };
  return [
    createRateBudget({ redis: replicaA, ...common }),
    createRateBudget({ redis: replicaB, ...common }),
  ] as const;
}

describe('rate budget shared through Redis', () => {
  test('two replicas together get no more than the burst', async () => {
    // 6 per minute: one token every 10 s, so no refill lands during the test.
    const [a, b] = pair({ ratePerMinute: 6, headroom: 1, burst: 5 });
    const grants = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).tryTake(0)));
    expect(grants.filter((g) => g.granted)).toHaveLength(5);
    const refused = grants.filter((g) => !g.granted);
    expect(Math.min(...refused.map((g) => g.waitMs))).toBeGreaterThan(9_000);
    expect(Math.max(...refused.map((g) => g.waitMs))).toBeLessThanOrEqual(10_000);
  });

  test('a lower priority leaves its reserve to the higher one', async () => {
    const [a, b] = pair({ ratePerMinute: 6, headroom: 1, burst: 4, floors: [0, 0.5] });
    expect((await a.tryTake(1)).granted).toBe(true);
    expect((await b.tryTake(1)).granted).toBe(true);
    const third = await a.tryTake(1);
    expect(third.granted).toBe(false);
    expect(third.waitMs).toBeGreaterThan(9_000);
    expect((await b.tryTake(0)).granted).toBe(true);
    expect((await a.tryTake(0)).granted).toBe(true);
    expect((await a.tryTake(0)).granted).toBe(false);
  });

  test('a block after a 429 stops every replica until it ends', async () => {
    const [a, b] = pair({ ratePerMinute: 6_000, headroom: 1, burst: 10 });
    await a.block(400);
    const during = await b.tryTake(0);
    expect(during.granted).toBe(false);
    expect(during.waitMs).toBeGreaterThan(200);
    expect(during.waitMs).toBeLessThanOrEqual(400);
    await new Promise((r) => setTimeout(r, during.waitMs + 20));
    expect((await b.tryTake(0)).granted).toBe(true);
  });

  test('take() waits for the refill, and honours an abort', async () => {
    const [a] = pair({ ratePerMinute: 600, headroom: 1, burst: 1 });
    await a.take(0);
    const started = Date.now();
    await a.take(0, 1, { jitterMs: 1 });
    // 10 per second: the second token comes about 100 ms after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    const controller = new AbortController();
    const waiting = a.take(0, 1, { signal: controller.signal });
    controller.abort(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
  });

  test('headroom lowers the allowed rate', () => {
    const [a] = pair({ ratePerMinute: 300 });
    expect(a.rate.perSecond).toBeCloseTo(4.5, 5);
    expect(a.rate.burst).toBe(22);
  });

  test('bad options and costs are refused with a clear error', async () => {
    expect(() => pair({ ratePerMinute: 0 })).toThrow(InvalidInputError);
    expect(() => pair({ ratePerMinute: 60, headroom: 1.5 })).toThrow(/headroom/);
    expect(() => pair({ ratePerMinute: 60, floors: [0, 1] })).toThrow(/floors/);
    const [a] = pair({ ratePerMinute: 60, burst: 3 });
    await expect(a.tryTake(0, 4)).rejects.toThrow(/cost must be in 1..3/);
  });
});
