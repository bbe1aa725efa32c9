import { createManualClock } from '@lockstep/genesys';
import { createEngineStatusStore, createKeys } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createStatusReporter } from './status-reporter.js';

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

describe('engine status reporter (real Redis)', () => {
  test('only the lease holder reports; each report is fresh; closing removes it', async () => {
    const store = createEngineStatusStore({ redis, keys: createKeys('status-reporter:') });
    const clock = createManualClock(1_000_000);
    let leader = false;
    let connected = 0;
    const reporter = createStatusReporter({
      store,
      status: () => ({ instance: 'e1', shard: 1, ready: true, agents: 3, channels: { connected, total: 2 } }),
      canAct: () => leader,
      clock,
      logger: pino({ level: 'silent' }),
      intervalMs: 5_000,
    });
    reporter.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.read([1])).toEqual([null]);

    // The standby takes the lease over: its next interval reports.
    leader = true;
    connected = 2;
    clock.advance(5_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.read([1])).toEqual([
      {
        instance: 'e1',
        shard: 1,
        ready: true,
        agents: 3,
        channels: { connected: 2, total: 2 },
        at: 1_005_000,
      },
    ]);
    expect(await redis.pttl('status-reporter:{leases}:status:engine:shard:1')).toBeGreaterThan(10_000);

    await reporter.close();
    expect(await store.read([1])).toEqual([null]);
  });
});
