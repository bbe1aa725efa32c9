import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agentTags, createAgentIndex, repairAgentIndex } from './agent-index.js';
import { createAgentStore } from './agent-store.js';
import { createKeys } from './keys.js';

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

const setup = () => {
  const keys = createKeys(`ai${++n}:`);
  return { keys, index: createAgentIndex({ redis, keys }), store: createAgentStore({ redis, keys }) };
};
const ids = (page: { agents: readonly { agentId: string }[] }) => page.agents.map((a) => a.agentId);

describe('agentTags', () => {
  test('reads presence and routing from the signals and rules from the findings', () => {
    const signals = { presence: { value: { system: 'ON_QUEUE' } }, routing: { value: 'IDLE' } };
    const findings = [{ id: 'f', ruleId: 'r1', severity: 'warning', openedAt: 1 }];
    expect(agentTags(signals, findings, ['queue:q'])).toEqual([
      'finding:open',
      'presence:ON_QUEUE',
      'queue:q',
      'routing:IDLE',
      'rule:r1',
    ]);
    expect(agentTags(null, [])).toEqual([]);
    expect(agentTags({ routing: { value: 'a b{' } }, [])).toEqual([]);
  });
});

describe('agent index', () => {
  test('a commit moves the agent between tag sets; state-since only moves when the state changes', async () => {
    const { index, store } = setup();
    const commit = (v: number, presence: string, state: string, at: number) =>
      store.commit({
        agentId: 'a',
        expectedVersion: v,
        fence: 0,
        state,
        machine: {},
        signals: { presence: { value: { system: presence } } },
        findings: [],
        effects: [],
        cause: 'event',
        detail: 'x',
        at,
      });
    await commit(0, 'ON_QUEUE', 's1', 1_000);
    expect(ids(await index.list({ tags: ['presence:ON_QUEUE'], sort: 'id', limit: 10 }))).toEqual(['a']);
    await commit(1, 'BREAK', 's1', 2_000);
    expect(ids(await index.list({ tags: ['presence:ON_QUEUE'], sort: 'id', limit: 10 }))).toEqual([]);
    const page = await index.list({ tags: ['presence:BREAK'], sort: 'id', limit: 10 });
    expect(page.agents).toEqual([{ agentId: 'a', stateSince: 1_000 }]);
    await commit(2, 'BREAK', 's2', 3_000);
    expect((await index.list({ tags: [], sort: 'stateSince', limit: 10 })).agents).toEqual([
      { agentId: 'a', stateSince: 3_000 },
    ]);
  });

  test('an agent written by two stores in turn (a lease handover and back) stays indexed right', async () => {
    const { keys, index } = setup();
    const a = createAgentStore({ redis, keys });
    const b = createAgentStore({ redis, keys });
    const commit = (store: typeof a, v: number, presence: string) =>
      store.commit({
        agentId: 'x',
        expectedVersion: v,
        fence: 0,
        state: presence,
        machine: {},
        signals: { presence: { value: { system: presence } } },
        findings: [],
        effects: [],
        cause: 'event',
        detail: 'x',
      });
    await commit(a, 0, 'ON_QUEUE');
    await commit(b, 1, 'BREAK');
    await commit(a, 2, 'ON_QUEUE');
    expect(ids(await index.list({ tags: ['presence:ON_QUEUE'], sort: 'id', limit: 10 }))).toEqual(['x']);
    expect(ids(await index.list({ tags: ['presence:BREAK'], sort: 'id', limit: 10 }))).toEqual([]);
  });

  test('an index update for an older version than the indexed one changes nothing', async () => {
    const { index } = setup();
    await index.sync('x', 5, 'b', 2_000, ['presence:BREAK']);
    await index.sync('x', 4, 'a', 1_000, ['presence:ON_QUEUE']);
    expect(ids(await index.list({ tags: ['presence:BREAK'], sort: 'id', limit: 10 }))).toEqual(['x']);
    expect((await index.list({ tags: ['presence:BREAK'], sort: 'stateSince', limit: 10 })).agents).toEqual([
      { agentId: 'x', stateSince: 2_000 },
    ]);
    expect(ids(await index.list({ tags: ['presence:ON_QUEUE'], sort: 'stateSince', limit: 10 }))).toEqual([]);
  });

  test('the repair indexes agents whose entry is missing or older, keeping their extra tags', async () => {
    const { keys, index, store } = setup();
    const commit = (agentId: string, v: number, presence: string, tags: string[] = []) =>
      store.commit({
        agentId,
        expectedVersion: v,
        fence: 0,
        state: presence,
        machine: {},
        signals: { presence: { value: { system: presence } } },
        findings: [],
        effects: [],
        cause: 'event',
        detail: 'x',
        at: 5_000,
        tags,
      });
    await commit('old', 0, 'BREAK');
    await commit('lost', 0, 'ON_QUEUE', ['queue:q1']);
    await commit('fine', 0, 'ON_QUEUE');
    // 'old' predates the indexes; 'lost' was committed again but its index update was lost.
    await redis.hdel(keys.agentTags(), 'old');
    await redis.zrem(keys.agentsByTag('presence:BREAK'), 'old');
    await redis.hset(
      keys.agent('lost'),
      'v',
      2,
      'signals',
      JSON.stringify({ presence: { value: { system: 'MEAL' } } }),
    );
    expect(await repairAgentIndex({ redis, keys, pageSize: 2 })).toBe(2);
    expect(ids(await index.list({ tags: ['presence:BREAK'], sort: 'id', limit: 10 }))).toEqual(['old']);
    expect(ids(await index.list({ tags: ['presence:MEAL', 'queue:q1'], sort: 'id', limit: 10 }))).toEqual([
      'lost',
    ]);
    expect(ids(await index.list({ tags: ['presence:ON_QUEUE'], sort: 'id', limit: 10 }))).toEqual(['fine']);
    expect(await repairAgentIndex({ redis, keys })).toBe(0);
  });

  test.each([
    ['sorted in memory', undefined],
    ['walked in order', 0],
  ])(
    'pages by id and by time in state with filters (%s), without losing or repeating an agent',
    async (_, smallSetMax) => {
      const { keys } = setup();
      const index = createAgentIndex({ redis, keys, ...(smallSetMax === undefined ? {} : { smallSetMax }) });
      const all = Array.from({ length: 1_203 }, (_, i) => `agent-${String(i).padStart(5, '0')}`);
      for (const [i, id] of all.entries()) {
        // Many agents share one instant, so the time-in-state cursor must break ties by id.
        await redis.zadd(keys.agentsIndex(), 0, id); // as the store does before a first commit
        await index.sync(
          id,
          1,
          's',
          1_000 + (i % 7),
          i % 3 === 0 ? ['presence:ON_QUEUE', 'queue:q'] : ['queue:q'],
        );
      }
      for (const sort of ['id', 'stateSince'] as const) {
        for (const tags of [[], ['presence:ON_QUEUE'], ['queue:q', 'presence:ON_QUEUE']]) {
          const seen: string[] = [];
          let after: { id: string; since?: number } | undefined;
          for (let pages = 0; pages < 100; pages++) {
            const page = await index.list({ tags, sort, limit: 97, ...(after ? { after } : {}) });
            seen.push(...ids(page));
            if (page.next === null) break;
            after = page.next;
          }
          const expected = tags.length === 0 ? all : all.filter((_, i) => i % 3 === 0);
          if (sort === 'stateSince') {
            const since = seen.map((id) => 1_000 + (all.indexOf(id) % 7));
            expect(since).toEqual([...since].sort((a, b) => a - b));
          } else {
            expect(seen).toEqual([...seen].sort());
          }
          expect([...seen].sort(), `${sort} ${tags.join('+')}`).toEqual(expected);
        }
      }
    },
  );
});
