import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngineStatusStore, type EngineStatus } from './engine-status.js';
import { createKeys } from './keys.js';

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

const status = (shard: number, connected: number): EngineStatus => ({
  instance: `engine-${shard}`,
  shard,
  ready: true,
  agents: 30,
  channels: { connected, total: 2 },
  at: 1_700_000_000_000,
});

describe('engine status (real Redis)', () => {
  test('a published status is read back per shard, expires, and unreadable ones read as none', async () => {
    const keys = createKeys(`status${++n}:`);
    const store = createEngineStatusStore({ redis, keys });
    await store.publish(status(0, 2), 10_000);
    await store.publish(status(2, 1), 150);
    await redis.set(keys.leaseStatus('engine:shard:3'), '{"instance":1}');
    expect(await store.read([0, 1, 2, 3])).toEqual([status(0, 2), null, status(2, 1), null]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.read([2])).toEqual([null]);
    await store.clear(0);
    expect(await store.read([0])).toEqual([null]);
  });
});
