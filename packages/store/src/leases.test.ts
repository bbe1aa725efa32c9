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

function base(agentId: string) {
  return {
    agentId,
    state: 's',
    machine: {},
    signals: {},
    findings: [],
    effects: [],
    cause: 'event' as const,
    detail: '',
  };
}

describe('leases', () => {
  test('acquire is exclusive; the holder re-acquires with the same token', async () => {
    const { leases } = setup();
    const a = await leases.acquireLease('shard-0', 'engine-a', 10_000);
    expect(a).toEqual({ name: 'shard-0', owner: 'engine-a', token: 1, proc: '' });
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

  test('a holder whose lease lapsed commits nothing, even for an agent the new holder has not written', async () => {
    const { keys, leases } = setup();
    const store = createAgentStore({ redis, keys, lease: 'shard-0' });
    const old = await leases.acquireLease('shard-0', 'engine-a', 40);
    if (!old) throw new Error('not acquired');
    await store.commit({ ...base('agent-1'), expectedVersion: 0, fence: old.token });
    await waitUntilExpired(keys, 'shard-0');
    // Lapsed and free: the old token is no longer current.
    const lapsed = await store
      .commit({ ...base('agent-1'), expectedVersion: 1, fence: old.token })
      .catch((e) => e);
    expect(lapsed).toBeInstanceOf(StaleFenceError);
    expect(lapsed).toMatchObject({ fence: old.token, storedFence: 0 });
    const fresh = await leases.acquireLease('shard-0', 'engine-b', 10_000);
    if (!fresh) throw new Error('not acquired');
    // agent-2 was never written by the new holder: only the lease itself can fence the old one off.
    await expect(store.commit({ ...base('agent-2'), expectedVersion: 0, fence: old.token })).rejects.toThrow(
      StaleFenceError,
    );
    await expect(store.commit({ ...base('agent-1'), expectedVersion: 1, fence: old.token })).rejects.toThrow(
      StaleFenceError,
    );
    expect(await redis.exists(keys.agent('agent-2'))).toBe(0);
    expect((await store.commit({ ...base('agent-2'), expectedVersion: 0, fence: fresh.token })).version).toBe(
      1,
    );
    expect((await store.commit({ ...base('agent-1'), expectedVersion: 1, fence: fresh.token })).version).toBe(
      2,
    );
  });

  test('an agent moved to another shard is accepted under that shard’s older token', async () => {
    const { keys, leases } = setup();
    // shard-1 was taken long ago (token 1); shard-0 recently (token 2).
    const shard1 = await leases.acquireLease('shard-1', 'engine-b', 10_000);
    const shard0 = await leases.acquireLease('shard-0', 'engine-a', 10_000);
    if (!shard0 || !shard1) throw new Error('not acquired');
    expect(shard1.token).toBeLessThan(shard0.token);
    const store0 = createAgentStore({ redis, keys, lease: 'shard-0' });
    const store1 = createAgentStore({ redis, keys, lease: 'shard-1' });
    await store0.commit({ ...base('mover'), expectedVersion: 0, fence: shard0.token });
    const moved = await store1.commit({ ...base('mover'), expectedVersion: 1, fence: shard1.token });
    expect(moved.version).toBe(2);
    expect(await redis.hmget(keys.agent('mover'), 'fence', 'lease')).toEqual([
      String(shard1.token),
      'shard-1',
    ]);
  });

  test('a renewal reports a second live process under the same owner id; a restart is not one', async () => {
    const { leases } = setup();
    const first = await leases.acquireLease('l', 'host-1', 10_000, { proc: 'p1', shard: '0/2' });
    if (!first) throw new Error('not acquired');
    expect(await leases.renewLease(first, 10_000)).toBe('renewed');
    // A restart under the same id (the old process is dead): same token, the new process renews quietly.
    const restarted = await leases.acquireLease('l', 'host-1', 10_000, { proc: 'p2', shard: '0/2' });
    expect(restarted).toEqual({ ...first, proc: 'p2' });
    if (!restarted) throw new Error('not acquired');
    expect(await leases.renewLease(restarted, 10_000)).toBe('renewed');
    // The old process was alive after all: each renewal now sees the other one.
    expect(await leases.renewLease(first, 10_000)).toBe('shared');
    expect(await leases.renewLease(restarted, 10_000)).toBe('shared');
    expect(await leases.readLease('l')).toMatchObject({ owner: 'host-1', proc: 'p2', shard: '0/2' });
  });

  test('bad arguments are rejected', async () => {
    const { leases } = setup();
    await expect(leases.acquireLease('a{b', 'o', 100)).rejects.toThrow(InvalidInputError);
    await expect(leases.acquireLease('l', '', 100)).rejects.toThrow(InvalidInputError);
    await expect(leases.acquireLease('l', 'o', 0)).rejects.toThrow(InvalidInputError);
  });
});
