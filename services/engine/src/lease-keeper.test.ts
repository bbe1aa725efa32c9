import { createManualClock } from '@lockstep/genesys';
import { connectRedis, createKeys, createLeases, type RedisClient } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotLeaderError } from './errors.js';
import { createLeaseKeeper } from './lease-keeper.js';
import { createRateLimitedLog } from './rate-limited-log.js';

let server: RedisServer;
let redis: RedisClient;

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

describe('lease keeper against a real Redis', () => {
  it('holds the lease, lets a second engine stand by, and hands over on release', async () => {
    const leases = createLeases({ redis, keys: createKeys('lease1:') });
    const clock = createManualClock(0);
    const events: string[] = [];
    const keeper = (owner: string) =>
      createLeaseKeeper({
        leases,
        name: 'engine:shard:0',
        owner,
        ttlMs: 5_000,
        renewMs: 1_000,
        clock,
        logger: pino({ level: 'silent' }),
        onAcquired: (l) => events.push(`${owner} acquired ${l.token}`),
        onLost: () => events.push(`${owner} lost`),
      });
    const a = keeper('engine-a');
    const b = keeper('engine-b');
    expect(await a.start()).toBe(true);
    expect(await b.start()).toBe(false);
    expect(a.token()).toBeGreaterThan(0);
    expect(b.token()).toBeNull();
    await a.close();
    expect(a.token()).toBeNull();
    // b tries again when a's lease would have expired, and gets a newer fencing token.
    await clock.advanceAsync(5_005);
    for (let i = 0; i < 50 && b.token() === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(b.token()).toBeGreaterThan(Number(events[0]?.split(' ')[2]));
    await b.close();
  });

  it('reports loss when the lease was taken over, and stops handing out a token', async () => {
    const keys = createKeys('lease2:');
    const leases = createLeases({ redis, keys });
    const clock = createManualClock(0);
    let lost = 0;
    const a = createLeaseKeeper({
      leases,
      name: 'engine:shard:0',
      owner: 'engine-a',
      ttlMs: 5_000,
      renewMs: 1_000,
      clock,
      logger: pino({ level: 'silent' }),
      onAcquired: () => {},
      onLost: () => lost++,
    });
    await a.start();
    await redis.del(keys.lease('engine:shard:0')); // expired behind its back
    await leases.acquireLease('engine:shard:0', 'engine-b', 5_000);
    await clock.advanceAsync(1_000);
    for (let i = 0; i < 50 && lost === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lost).toBe(1);
    expect(a.token()).toBeNull();
    await a.close();
    expect((await leases.readLease('engine:shard:0'))?.owner).toBe('engine-b');
  });
});

describe('lease keeper: local deadline and takeover timing', () => {
  it('past its local deadline a holder cut off from Redis stops acting, then drops the lease', async () => {
    const own = connectRedis(server.url);
    const leases = createLeases({ redis: own, keys: createKeys('lease3:') });
    const clock = createManualClock(0);
    let lost = 0;
    const a = createLeaseKeeper({
      leases,
      name: 'engine:shard:0',
      owner: 'engine-a',
      ttlMs: 1_000,
      renewMs: 400,
      marginMs: 100,
      clock,
      logger: pino({ level: 'silent' }),
      onAcquired: () => {},
      onLost: () => lost++,
    });
    expect(await a.start()).toBe(true);
    const token = a.assertHeld('a test');
    expect(a.deadline()).toBe(900);
    own.disconnect(); // every renewal now fails with a connection error, not with "lease lost"
    await clock.advanceAsync(800); // two failed renewals, still inside the deadline
    await new Promise((r) => setTimeout(r, 50)); // let the last failure in before the clock moves on
    expect(a.token()).toBe(token);
    expect(a.canAct()).toBe(true);
    await clock.advanceAsync(100); // at the deadline: no renewal went through since t=0
    expect(a.token()).toBeNull();
    expect(a.canAct()).toBe(false);
    expect(() => a.assertHeld('a correction')).toThrow(NotLeaderError);
    expect(lost).toBe(0);
    await clock.advanceAsync(300); // the next renewal fails past the deadline: the lease is dropped
    expect(lost).toBe(1);
    expect(a.deadline()).toBeNull();
    await a.close();
  });

  it('a renewal that succeeds after the local deadline lets the holder act again and catch up', async () => {
    const own = connectRedis(server.url);
    const leases = createLeases({ redis: own, keys: createKeys('lease6:') });
    const clock = createManualClock(0);
    let acquired = 0;
    const a = createLeaseKeeper({
      leases,
      name: 'engine:shard:0',
      owner: 'engine-a',
      ttlMs: 60_000,
      renewMs: 20_000,
      marginMs: 6_000,
      clock,
      logger: pino({ level: 'silent' }),
      onAcquired: () => acquired++,
      onLost: () => {},
    });
    expect(await a.start()).toBe(true);
    const token = a.token();
    own.disconnect();
    // Renewals at 20 s and 40 s fail (each failure is let in before the clock moves on); the deadline is 54 s.
    for (const step of [20_000, 20_000, 14_000]) {
      await clock.advanceAsync(step);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(a.canAct()).toBe(false);
    await own.connect();
    await clock.advanceAsync(6_000); // the renewal at 60 s goes through (the lease is still ours in Redis)
    for (let i = 0; i < 50 && !a.canAct(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(a.canAct()).toBe(true);
    expect(a.token()).toBe(token);
    expect(acquired).toBe(2); // once at start, once to catch up on what was dropped past the deadline
    await a.close();
    own.disconnect();
  });

  it('a standby tries the moment the holder’s lease expires, not on its renewal period', async () => {
    const keys = createKeys('lease4:');
    const leases = createLeases({ redis, keys });
    const clock = createManualClock(0);
    // A holder that died: its lease runs out in 300 ms and is never renewed.
    await leases.acquireLease('engine:shard:0', 'engine-dead', 300);
    const b = createLeaseKeeper({
      leases,
      name: 'engine:shard:0',
      owner: 'engine-b',
      ttlMs: 10_000,
      renewMs: 3_000,
      clock,
      logger: pino({ level: 'silent' }),
      onAcquired: () => {},
      onLost: () => {},
    });
    expect(await b.start()).toBe(false);
    await new Promise((r) => setTimeout(r, 350)); // the dead holder's lease is gone in Redis
    await clock.advanceAsync(310);
    for (let i = 0; i < 50 && b.token() === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(b.token()).toBeGreaterThan(0);
    await b.close();
  });

  it('warns loudly when two live engines hold the lease under one instance id', async () => {
    const leases = createLeases({ redis, keys: createKeys('lease7:') });
    const clock = createManualClock(0);
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const twin = () =>
      createLeaseKeeper({
        leases,
        name: 'engine:shard:0',
        owner: 'same-host',
        ttlMs: 5_000,
        renewMs: 1_000,
        clock,
        logger,
        onAcquired: () => {},
        onLost: () => {},
      });
    const a = twin();
    const b = twin();
    expect(await a.start()).toBe(true);
    expect(await b.start()).toBe(true); // same owner id: both believe they lead
    expect(lines).toEqual([]);
    await clock.advanceAsync(1_000);
    for (let i = 0; i < 50 && lines.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^DUPLICATE INSTANCE ID/));
    await a.close();
    await b.close();
  });

  it('warns loudly when the holder runs with other shard settings', async () => {
    const leases = createLeases({ redis, keys: createKeys('lease5:') });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const keeper = (owner: string, shard: string) =>
      createLeaseKeeper({
        leases,
        name: 'engine:shard:0',
        owner,
        shard,
        ttlMs: 5_000,
        renewMs: 1_000,
        clock: createManualClock(0),
        logger,
        onAcquired: () => {},
        onLost: () => {},
      });
    const a = keeper('engine-a', '0/2');
    const b = keeper('engine-b', '0/3');
    await a.start();
    expect(await b.start()).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^SHARD SETTINGS OVERLAP/)]);
    expect(lines[0]).toMatchObject({ holderShard: '0/2', shard: '0/3' });
    await b.close();
    await a.close();
  });
});

describe('rate-limited log', () => {
  it('logs one line per key per interval and reports what it suppressed', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    let now = 0;
    const log = createRateLimitedLog(logger, () => now, 10_000);
    for (let i = 0; i < 5; i++) log.warn('schema', { reason: 'schema' }, 'bad frame');
    log.warn('malformed-json', { reason: 'malformed-json' }, 'bad frame');
    now = 10_000;
    log.warn('schema', { reason: 'schema' }, 'bad frame');
    expect(lines.map((l) => [l.reason, l.suppressed])).toEqual([
      ['schema', 0],
      ['malformed-json', 0],
      ['schema', 4],
    ]);
  });
});
