import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentStore } from './agent-store.js';
import { InvalidInputError, StaleFenceError, StaleVersionError } from './errors.js';
import { createKeys } from './keys.js';
import { createReads } from './reads.js';
import type { AgentCommit, HistoryCause } from './types.js';

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

function setup(opts: { historyMaxLen?: number; historyTrim?: 'approximate' | 'exact' } = {}) {
  const keys = createKeys(`as${++n}:`);
  let clock = 1_700_000_000_000;
  const store = createAgentStore({ redis, keys, now: () => ++clock, ...opts });
  return { keys, store, reads: createReads({ redis, keys }) };
}

function commit(over: Partial<AgentCommit> = {}): AgentCommit {
  return {
    agentId: 'agent-1',
    expectedVersion: 0,
    fence: 0,
    state: 'offline',
    machine: { value: 'offline', context: { n: 1 } },
    signals: { presence: 'OFFLINE' },
    findings: [],
    effects: [],
    cause: 'event',
    detail: 'presence',
    ...over,
  };
}

describe('commit', () => {
  test('first commit creates version 1 with snapshot, signals, history and the agents index', async () => {
    const { keys, store, reads } = setup();
    const result = await store.commit(commit({ at: 1234, effects: [{ type: 'x' }] }));
    expect(result).toEqual({ version: 1, outboxIds: ['agent-1:1:0'] });
    const agent = await reads.readAgent('agent-1');
    expect(agent).toEqual({
      agentId: 'agent-1',
      version: 1,
      fence: 0,
      state: 'offline',
      machine: { value: 'offline', context: { n: 1 } },
      signals: { presence: 'OFFLINE' },
      findings: [],
      updatedAt: 1234,
      pendingOutbox: 1,
    });
    const history = await reads.readHistory('agent-1', { count: 10 });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      version: 1,
      at: 1234,
      cause: 'event',
      detail: 'presence',
      from: '',
      to: 'offline',
    });
    expect(await redis.zrange(keys.agentsIndex(), 0, -1)).toEqual(['agent-1']);
    expect(await reads.readAgent('nobody')).toBeNull();
  });

  test('a stale version is rejected and writes nothing', async () => {
    const { store, reads } = setup();
    await store.commit(commit());
    const err = await store.commit(commit({ state: 'available' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleVersionError);
    expect(err).toMatchObject({ code: 'STORE_STALE_VERSION', expected: 0, actual: 1, agentId: 'agent-1' });
    await expect(store.commit(commit({ expectedVersion: 5 }))).rejects.toThrow(StaleVersionError);
    expect((await reads.readAgent('agent-1'))?.state).toBe('offline');
    expect(await reads.readHistory('agent-1', { count: 10 })).toHaveLength(1);
    expect((await store.commit(commit({ expectedVersion: 1, state: 'available' }))).version).toBe(2);
  });

  test('concurrent commits from the same version: exactly one wins', async () => {
    const { store, reads } = setup();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.commit(commit({ state: `s${i}` }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StaleVersionError);
    expect((await reads.readAgent('agent-1'))?.version).toBe(1);
  });

  test('an older fencing token is rejected; equal and newer tokens pass', async () => {
    const { store, reads } = setup();
    await store.commit(commit({ fence: 5 }));
    const err = await store.commit(commit({ expectedVersion: 1, fence: 3 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleFenceError);
    expect(err).toMatchObject({ code: 'STORE_STALE_FENCE', fence: 3, storedFence: 5 });
    expect((await reads.readAgent('agent-1'))?.version).toBe(1);
    await store.commit(commit({ expectedVersion: 1, fence: 5 }));
    await store.commit(commit({ expectedVersion: 2, fence: 9 }));
    expect(await reads.readAgent('agent-1')).toMatchObject({ version: 3, fence: 9 });
    await expect(store.commit(commit({ expectedVersion: 3, fence: 5 }))).rejects.toThrow(StaleFenceError);
  });

  test('history is bounded (exact trim), newest first, with causes and the state transition', async () => {
    const { keys, store, reads } = setup({ historyMaxLen: 5, historyTrim: 'exact' });
    const causes: HistoryCause[] = ['event', 'resync', 'correction', 'tick'];
    for (let v = 0; v < 12; v++) {
      await store.commit(
        commit({ expectedVersion: v, state: `s${v + 1}`, cause: causes[v % 4], detail: `d${v + 1}` }),
      );
    }
    expect(await redis.xlen(keys.history('agent-1'))).toBe(5);
    const history = await reads.readHistory('agent-1', { count: 100 });
    expect(history.map((h) => h.version)).toEqual([12, 11, 10, 9, 8]);
    expect(history.map((h) => h.cause)).toEqual(['tick', 'correction', 'resync', 'event', 'tick']);
    expect(history[0]).toMatchObject({ from: 's11', to: 's12', detail: 'd12' });
    const older = await reads.readHistory('agent-1', { count: 2, before: history[1]?.id ?? '' });
    expect(older.map((h) => h.version)).toEqual([10, 9]);
    await expect(reads.readHistory('agent-1', { count: 2, before: 'nope' })).rejects.toThrow(
      InvalidInputError,
    );
  });

  test('approximate trimming keeps the history bounded too', async () => {
    const { keys, store } = setup({ historyMaxLen: 10 });
    for (let v = 0; v < 300; v++) await store.commit(commit({ expectedVersion: v }));
    const len = await redis.xlen(keys.history('agent-1'));
    expect(len).toBeGreaterThanOrEqual(10);
    expect(len).toBeLessThan(300);
  });

  test('effects of successive commits accumulate in the pending outbox until relayed', async () => {
    const { store, reads } = setup();
    await store.commit(commit({ effects: [{ a: 1 }, { a: 2 }] }));
    const second = await store.commit(commit({ expectedVersion: 1, effects: [{ a: 3 }] }));
    expect(second.outboxIds).toEqual(['agent-1:2:0']);
    expect((await reads.readAgent('agent-1'))?.pendingOutbox).toBe(3);
  });

  test('bad input gets a clear error and writes nothing', async () => {
    const { keys, store, reads } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: Partial<AgentCommit>[] = [
      { agentId: 'a{1}' },
      { agentId: '' },
      { expectedVersion: -1 },
      { expectedVersion: 1.5 },
      { fence: -2 },
      { state: '' },
      { cause: 'whim' as HistoryCause },
      { detail: 'x'.repeat(501) },
      { machine: cyclic },
      { signals: undefined },
      { effects: [10n] },
      { findings: [{ id: 'f1', ruleId: 'r', severity: 'high' } as never] },
      { findings: [{ id: 'f|1', ruleId: 'r', severity: 'high', openedAt: 1 }] },
      {
        findings: [
          { id: 'f1', ruleId: 'r', severity: 'high', openedAt: 1 },
          { id: 'f1', ruleId: 'r', severity: 'low', openedAt: 2 },
        ],
      },
    ];
    for (const over of bad) {
      await expect(store.commit(commit(over)), JSON.stringify(Object.keys(over))).rejects.toThrow(
        InvalidInputError,
      );
    }
    expect(await reads.readAgent('agent-1')).toBeNull();
    expect(await redis.exists(keys.history('agent-1'))).toBe(0);
  });
});
