import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCorrectionLocks } from './correction-locks.js';
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

const setup = (ttlMs?: number) =>
  createCorrectionLocks({ redis, keys: createKeys(`cl${++n}:`), ...(ttlMs === undefined ? {} : { ttlMs }) });

describe('correction locks', () => {
  test('an intent is sent once: after it is marked sent, a replay by anyone is refused', async () => {
    const locks = setup();
    expect(await locks.claim('a1', 'f1:c1', 7, 'engine-a', 1)).toBe('claimed');
    expect(await locks.mark('a1', 'f1:c1', 7, 'sent', 2)).toBe(true);
    expect(await locks.claim('a1', 'f1:c1', 7, 'engine-a', 3)).toBe('already-sent');
    expect(await locks.claim('a1', 'f1:c1', 9, 'engine-b', 4)).toBe('already-sent');
  });

  test('a stale fencing token can neither claim nor mark', async () => {
    const locks = setup();
    expect(await locks.claim('a1', 'f1:c1', 9, 'engine-b', 1)).toBe('claimed');
    expect(await locks.claim('a1', 'f1:c2', 7, 'engine-a', 2)).toBe('stale-fence');
    expect(await locks.mark('a1', 'f1:c1', 7, 'sent', 3)).toBe(false);
  });

  test('one correction of an agent at a time under one lease; a newer lease overrides an unsettled claim', async () => {
    const locks = setup();
    expect(await locks.claim('a1', 'f1:c1', 7, 'engine-a', 1)).toBe('claimed');
    expect(await locks.claim('a1', 'f2:c1', 7, 'engine-a', 2)).toBe('in-flight');
    expect(await locks.claim('a2', 'f3:c1', 7, 'engine-a', 2)).toBe('claimed');
    expect(await locks.claim('a1', 'f2:c1', 8, 'engine-b', 3)).toBe('claimed');
    expect(await locks.mark('a1', 'f2:c1', 8, 'settled', 4)).toBe(true);
    expect(await locks.claim('a1', 'f4:c1', 8, 'engine-b', 5)).toBe('claimed');
  });

  test("a dead process's unsettled claim lapses after its time to live", async () => {
    const locks = setup(50);
    expect(await locks.claim('a1', 'f1:c1', 7, 'engine-a', 1)).toBe('claimed');
    expect(await locks.claim('a1', 'f2:c1', 7, 'engine-a', 2)).toBe('in-flight');
    await new Promise((r) => setTimeout(r, 80));
    expect(await locks.claim('a1', 'f2:c1', 7, 'engine-a', 3)).toBe('claimed');
  });
});
