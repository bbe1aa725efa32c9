import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentStore } from './agent-store.js';
import { InvalidInputError, LeaseLostError, StaleFenceError } from './errors.js';
import { createKeys, type Keys } from './keys.js';
import { createLeases } from './leases.js';

let server: RedisServer;
let redis: Redis;
let n = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { enableAutoPipelining: true });
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

function setup() {
  const keys = createKeys(`ls${++n}:`);
  return { keys, leases: createLeases({ redis, keys }) };
}

async function waitUntilExpired(keys: Keys, name: string): Promise<void> {
  while ((await redis.exists(keys.lease(name))) === 1) await new Promise((r) => setTimeout(r, 10));
}

describe('leases', () => {
  test('acquire is exclusive; the holder re-acquires with the same token', async () => {
    const { leases } = setup();
    const a = await leases.acquireLease('shard-0', 'engine-a', 10_000);
    expect(a).toEqual({ name: 'shard-0', owner: 'engine-a', token: 1 });
    expect(await leases.acquireLease('shard-0', 'engine-b', 10_000)).toBeNull();
    expect(await leases.acquireLease('shard-0', 'engine-a', 10_000)).toEqual(a);
    const other = await leases.acquireLease('shard-1', 'engine-b', 10_000);
    expect(other?.token).toBe(2);
    const info = await leases.readLease('shard-0');
    expect(info).toMatchObject({ name: 'shard-0', owner: 'engine-a', token: 1 });
    expect(info?.ttlMs).toBeGreaterThan(0);
    expect(await leases.readLease('free')).toBeNull();
  });

  test('after expiry another owner gets a higher token; the old holder can neither renew nor release', async () => {
    const { keys, leases } = setup();
    const old = await leases.acquireLease('shard-0', 'engine-a', 40);
    expect(old).not.toBeNull();
    if (!old) return;
    await waitUntilExpired(keys, 'shard-0');
    const next = await leases.acquireLease('shard-0', 'engine-b', 10_000);
    expect(next?.token).toBeGreaterThan(old.token);
    const err = await leases.renewLease(old, 10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ code: 'STORE_LEASE_LOST', lease: 'shard-0' });
    expect(await leases.releaseLease(old)).toBe(false);
    expect((await leases.readLease('shard-0'))?.owner).toBe('engine-b');
  });

  test('the same owner re-acquiring after expiry gets a new token, and the old one is stale', async () => {
    const { keys, leases } = setup();
    const first = await leases.acquireLease('l', 'engine-a', 30);
    await waitUntilExpired(keys, 'l');
    const second = await leases.acquireLease('l', 'engine-a', 10_000);
    expect(second?.token).toBe((first?.token ?? 0) + 1);
    expect(first).not.toBeNull();
    await expect(leases.renewLease(first!, 1000)).rejects.toThrow(LeaseLostError);
  });

  test('renew extends; release works only for the holder and is idempotent', async () => {
    const { leases } = setup();
    const a = await leases.acquireLease('l', 'engine-a', 200);
    if (!a) throw new Error('not acquired');
    await leases.renewLease(a, 60_000);
    expect((await leases.readLease('l'))?.ttlMs).toBeGreaterThan(1_000);
    expect(await leases.releaseLease({ ...a, owner: 'engine-b' })).toBe(false);
    expect(await leases.releaseLease({ ...a, token: a.token + 1 })).toBe(false);
    expect((await leases.readLease('l'))?.owner).toBe('engine-a');
    expect(await leases.releaseLease(a)).toBe(true);
    expect(await leases.releaseLease(a)).toBe(false);
    expect(await leases.readLease('l')).toBeNull();
    expect((await leases.acquireLease('l', 'engine-b', 1000))?.token).toBe(a.token + 1);
  });

  test('a commit under an older lease token is fenced off', async () => {
    const { keys, leases } = setup();
    const store = createAgentStore({ redis, keys });
    const old = await leases.acquireLease('shard-0', 'engine-a', 30);
    await waitUntilExpired(keys, 'shard-0');
    const fresh = await leases.acquireLease('shard-0', 'engine-b', 10_000);
    if (!old || !fresh) throw new Error('not acquired');
    const base = {
      agentId: 'agent-1',
      state: 's',
      machine: {},
      signals: {},
      findings: [],
      effects: [],
      cause: 'event' as const,
      detail: '',
    };
    await store.commit({ ...base, expectedVersion: 0, fence: fresh.token });
    await expect(store.commit({ ...base, expectedVersion: 1, fence: old.token })).rejects.toThrow(
      StaleFenceError,
    );
  });

  test('bad arguments are rejected', async () => {
    const { leases } = setup();
    await expect(leases.acquireLease('a{b', 'o', 100)).rejects.toThrow(InvalidInputError);
    await expect(leases.acquireLease('l', '', 100)).rejects.toThrow(InvalidInputError);
    await expect(leases.acquireLease('l', 'o', 0)).rejects.toThrow(InvalidInputError);
  });
});
