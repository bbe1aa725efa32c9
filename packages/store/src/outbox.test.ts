import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentStore } from './agent-store.js';
import { InvalidInputError } from './errors.js';
import { createKeys } from './keys.js';
import { createOutbox } from './outbox.js';
import { createReads } from './reads.js';
import type { AgentCommit } from './types.js';

let server: RedisServer;
let redis: Redis;
let reader: Redis;
let n = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { enableAutoPipelining: true });
  reader = new Redis(server.url);
});
afterAll(async () => {
  await reader?.quit();
  await redis?.quit();
  await server?.stop();
});

function setup(outboxShards = 1) {
  const keys = createKeys(`ob${++n}:`, { outboxShards });
  const store = createAgentStore({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'engine', readRedis: reader });
  return { keys, store, outbox, reads: createReads({ redis, keys }) };
}

function commit(agentId: string, expectedVersion: number, effects: unknown[]): AgentCommit {
  return {
    agentId,
    expectedVersion,
    fence: 0,
    state: 's',
    machine: {},
    signals: {},
    findings: [],
    effects,
    cause: 'event',
    detail: '',
  };
}

async function streamIds(redisKey: string): Promise<string[]> {
  const entries = await redis.xrange(redisKey, '-', '+');
  return entries.map(([, fields]) => fields[fields.indexOf('id') + 1] ?? '');
}

describe('relay', () => {
  test('moves pending entries to the stream once, in order, and clears them', async () => {
    const { keys, store, outbox, reads } = setup();
    await store.commit(commit('a1', 0, [{ k: 1 }, { k: 2 }]));
    await store.commit(commit('a1', 1, [{ k: 3 }]));
    expect(await outbox.relay('a1')).toBe(3);
    expect(await outbox.relay('a1')).toBe(0);
    expect(await streamIds(keys.outboxStream(0))).toEqual(['a1:1:0', 'a1:1:1', 'a1:2:0']);
    expect((await reads.readAgent('a1'))?.pendingOutbox).toBe(0);
    expect(await outbox.relay('never-committed')).toBe(0);
  });

  test('a relay that crashed before clearing is replayed without duplicates', async () => {
    const { keys, store, outbox } = setup();
    await store.commit(commit('a1', 0, [{ k: 1 }, { k: 2 }]));
    const pendingBefore = await redis.hget(keys.agent('a1'), 'pending');
    expect(await outbox.relay('a1')).toBe(2);
    // Simulate the crash: the entries are published but `pending` still holds them.
    await redis.hset(keys.agent('a1'), 'pending', pendingBefore ?? '');
    await store.commit(commit('a1', 1, [{ k: 3 }]));
    expect(await outbox.relay('a1')).toBe(1);
    expect(await streamIds(keys.outboxStream(0))).toEqual(['a1:1:0', 'a1:1:1', 'a1:2:0']);
    expect(await redis.hexists(keys.agent('a1'), 'pending')).toBe(0);
  });

  test('concurrent relays of the same agent publish each entry exactly once', async () => {
    const { keys, store, outbox } = setup();
    for (let v = 0; v < 5; v++) await store.commit(commit('a1', v, [{ v }]));
    const counts = await Promise.all([
      outbox.relay('a1'),
      outbox.relay('a1'),
      outbox.relayMany(['a1', 'a1']),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await streamIds(keys.outboxStream(0))).toEqual(['a1:1:0', 'a1:2:0', 'a1:3:0', 'a1:4:0', 'a1:5:0']);
  });

  test('clearing after a newer commit removes only the published lines', async () => {
    const { keys, store, outbox, reads } = setup();
    await store.commit(commit('a1', 0, [{ k: 1 }]));
    const [version, pending] = await redis.hmget(keys.agent('a1'), 'v', 'pending');
    await store.commit(commit('a1', 1, [{ k: 2 }]));
    expect(await redis.lockstepClearPending(keys.agent('a1'), version ?? '', pending ?? '')).toBe(1);
    expect((await reads.readAgent('a1'))?.pendingOutbox).toBe(1);
    expect(await redis.lockstepClearPending(keys.agent('a1'), version ?? '', pending ?? '')).toBe(0);
    expect(await outbox.relay('a1')).toBe(1);
    expect(await streamIds(keys.outboxStream(0))).toEqual(['a1:2:0']);
  });

  test('sharded: each agent goes to its own shard; relayMany covers them all', async () => {
    const { keys, store, outbox } = setup(4);
    const agents = Array.from({ length: 24 }, (_, i) => `agent-${i}`);
    for (const a of agents) await store.commit(commit(a, 0, [{ a }]));
    expect(await outbox.relayMany(agents)).toBe(24);
    let total = 0;
    for (let s = 0; s < 4; s++) {
      const ids = await streamIds(keys.outboxStream(s));
      for (const id of ids) expect(keys.outboxShardOf(id.split(':')[0] ?? '')).toBe(s);
      total += ids.length;
    }
    expect(total).toBe(24);
  });

  test('crash recovery finds agents with unrelayed entries and relays them', async () => {
    const { store, outbox } = setup(2);
    for (let i = 0; i < 7; i++) await store.commit(commit(`a${i}`, 0, [{ i }]));
    await outbox.relayMany(['a0', 'a3']);
    const first = await outbox.findUnrelayed({ count: 4 });
    expect(first.agentIds).toEqual(['a1', 'a2']);
    expect(first.cursor).toBe('a3');
    const second = await outbox.findUnrelayed({ cursor: first.cursor, count: 4 });
    expect(second).toEqual({ agentIds: ['a4', 'a5', 'a6'], cursor: null });
    expect(await outbox.relayAllPending(2)).toBe(5);
    expect((await outbox.findUnrelayed({ count: 100 })).agentIds).toEqual([]);
  });
});

describe('consumer group', () => {
  test('read, ack, and claim stale entries from another consumer', async () => {
    const { store, outbox } = setup(2);
    await outbox.ensureGroup();
    await outbox.ensureGroup();
    const agents = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'];
    for (const a of agents) await store.commit(commit(a, 0, [{ type: 'finding.opened', a }]));
    await outbox.relayMany(agents);

    const got = await outbox.readGroup('c1', 10, 0);
    expect(got.map((m) => m.agentId).sort()).toEqual(agents);
    for (const m of got) {
      expect(m.id).toBe(`${m.agentId}:1:0`);
      expect(m.effect).toEqual({ type: 'finding.opened', a: m.agentId });
      expect(m.version).toBe(1);
      expect(m.malformed).toBeUndefined();
    }
    expect(await outbox.readGroup('c1', 10, 0)).toEqual([]);
    expect(await outbox.ack(got.slice(0, 2))).toBe(2);
    expect(await outbox.ack(got.slice(0, 2))).toBe(0);

    const claimed = await outbox.claimStale('c2', 0, 100);
    expect(claimed.map((m) => m.id).sort()).toEqual(
      got
        .slice(2)
        .map((m) => m.id)
        .sort(),
    );
    expect(await outbox.claimStale('c3', 60_000, 100)).toEqual([]);
    expect(await outbox.ack(claimed)).toBe(4);
    expect(await outbox.claimStale('c3', 0, 100)).toEqual([]);
  });

  test('a blocking read waits and returns nothing when the stream stays empty; new entries arrive', async () => {
    const { store, outbox } = setup();
    await outbox.ensureGroup();
    expect(await outbox.readGroup('c1', 5, 30)).toEqual([]);
    const pending = outbox.readGroup('c1', 5, 5_000);
    await store.commit(commit('late', 0, [{ late: true }]));
    await outbox.relay('late');
    const got = await pending;
    expect(got.map((m) => m.effect)).toEqual([{ late: true }]);
  });

  test('reads one shard when asked, and flags undecodable entries instead of failing', async () => {
    const { keys, outbox } = setup(2);
    await outbox.ensureGroup();
    await redis.xadd(
      keys.outboxStream(1),
      '*',
      'id',
      'q:1:0',
      'agent',
      'q',
      'v',
      '1',
      'at',
      '5',
      'body',
      '{oops',
    );
    expect(await outbox.readGroup('c1', 5, 0, [0])).toEqual([]);
    const [m] = await outbox.readGroup('c1', 5, 0, [1]);
    expect(m).toMatchObject({
      shard: 1,
      id: 'q:1:0',
      agentId: 'q',
      effect: '{oops',
      malformed: 'body is not JSON',
    });
    await expect(outbox.readGroup('c1', 5, 0, [2])).rejects.toThrow(InvalidInputError);
    await expect(outbox.readGroup('bad consumer', 5, 0)).rejects.toThrow(InvalidInputError);
  });
});

describe('group start and trimming', () => {
  function setupTrim(maxLen: number) {
    const keys = createKeys(`ob${++n}:`, { outboxShards: 1 });
    const store = createAgentStore({ redis, keys });
    const outbox = createOutbox({ redis, keys, group: 'engine', readRedis: reader, maxLen });
    return { keys, store, outbox };
  }
  const effects = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ n: from + i }));

  test('a new group reads only what is published after it; replaying is explicit', async () => {
    const { keys, store, outbox } = setupTrim(1_000);
    await store.commit(commit('g1', 0, effects(3)));
    await outbox.relay('g1');
    await outbox.ensureGroup();
    expect(await outbox.readGroup('c1', 10, 0)).toEqual([]);
    await store.commit(commit('g1', 1, effects(1, 3)));
    await outbox.relay('g1');
    expect((await outbox.readGroup('c1', 10, 0)).map((m) => m.effect)).toEqual([{ n: 3 }]);

    const replay = createOutbox({ redis, keys, group: 'replay', readRedis: reader });
    await replay.ensureGroup('all');
    expect((await replay.readGroup('c1', 10, 0)).map((m) => m.effect)).toEqual(effects(4));
    const [first] = await redis.xrange(keys.outboxStream(0), '-', '+', 'COUNT', 1);
    const after = createOutbox({ redis, keys, group: 'after', readRedis: reader });
    await after.ensureGroup({ after: first?.[0] ?? '' });
    expect((await after.readGroup('c1', 10, 0)).map((m) => m.effect)).toEqual(effects(3, 1));
    await expect(after.ensureGroup({ after: 'nope' })).rejects.toThrow(InvalidInputError);
  });

  test('keeps every entry a group has not acknowledged, and trims what every group acknowledged', async () => {
    const { keys, store, outbox } = setupTrim(10);
    await outbox.ensureGroup();
    await store.commit(commit('t1', 0, effects(300)));
    expect(await outbox.relay('t1')).toBe(300);
    // Nothing read yet: nothing may go.
    expect(await redis.xlen(keys.outboxStream(0))).toBe(300);

    const read = await outbox.readGroup('c1', 250, 0);
    await outbox.ack(read.slice(0, 200));
    await store.commit(commit('t1', 1, effects(1, 300)));
    await outbox.relay('t1');
    // 50 read but unacknowledged, 50 unread, 1 new: the 200 acknowledged ones may go.
    const claimed = await outbox.claimStale('c2', 0, 1_000);
    expect(claimed.map((m) => (m.effect as { n: number }).n)).toEqual(effects(50, 200).map((e) => e.n));
    const left = await outbox.readGroup('c2', 1_000, 0);
    expect(left.map((m) => (m.effect as { n: number }).n)).toEqual(effects(51, 250).map((e) => e.n));

    await outbox.ack([...left, ...claimed]);
    await store.commit(commit('t1', 2, effects(1, 301)));
    await outbox.relay('t1');
    // Everything acknowledged: the stream keeps its retention length.
    expect(await redis.xlen(keys.outboxStream(0))).toBe(10);
  });

  test('with no consumer group, a stream keeps its retention length', async () => {
    const { keys, store, outbox } = setupTrim(10);
    await store.commit(commit('t2', 0, effects(300)));
    await outbox.relay('t2');
    expect(await redis.xlen(keys.outboxStream(0))).toBe(10);
  });
});
