import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createKeys } from './keys.js';
import { createScheduleCache } from './schedule-cache.js';

let server: RedisServer;
let redis: Redis;
let n = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const schedule = {
  segments: [{ start: 1, end: 2, category: 'OnQueueWork', activityCodeId: '0', timeOffRequestId: null }],
  changedAt: 5,
  change: 'swap',
  loadedAt: 10,
};

test('writes per agent under the agent hash tag with a TTL, reads back what exists', async () => {
  const keys = createKeys(`sc${++n}:`);
  const cache = createScheduleCache({ redis, keys, ttlMs: 60_000 });
  await cache.write('a1', schedule);
  expect(keys.schedule('a1')).toBe(`sc${n}:{agent:a1}:schedule`);
  const ttl = await redis.pttl(keys.schedule('a1'));
  expect(ttl).toBeGreaterThan(50_000);
  expect(ttl).toBeLessThanOrEqual(60_000);
  const read = await cache.read(['a1', 'a2']);
  expect([...read.entries()]).toEqual([['a1', schedule]]);
  await cache.remove('a1');
  expect((await cache.read(['a1'])).size).toBe(0);
});

test('a corrupt entry is a clear error', async () => {
  const keys = createKeys(`sc${++n}:`);
  await redis.set(keys.schedule('a1'), '{nope');
  await expect(createScheduleCache({ redis, keys }).read(['a1'])).rejects.toThrow(
    /schedule cache of agent a1/,
  );
});
