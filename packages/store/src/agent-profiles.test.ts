import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentIndex } from './agent-index.js';
import { type AgentProfileDoc, createAgentProfiles, nameSortKey } from './agent-profiles.js';
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

const setup = (smallSetMax?: number) => {
  const keys = createKeys(`ap${++n}:`);
  return {
    keys,
    profiles: createAgentProfiles({ redis, keys }),
    index: createAgentIndex({ redis, keys, ...(smallSetMax === undefined ? {} : { smallSetMax }) }),
    store: createAgentStore({ redis, keys }),
  };
};
const ids = (page: { agents: readonly { agentId: string }[] }) => page.agents.map((a) => a.agentId);

const profile = (agentId: string, name: string | null, extra: Partial<AgentProfileDoc> = {}) => ({
  agentId,
  name,
  queueIds: [],
  divisionId: null,
  managementUnitId: null,
  updatedAt: 1_000,
  ...extra,
});

function commitOf(
  store: ReturnType<typeof createAgentStore>,
  agentId: string,
  v = 0,
  presence = 'AVAILABLE',
) {
  return store.commit({
    agentId,
    expectedVersion: v,
    fence: 0,
    state: `s-${presence}`,
    machine: {},
    signals: { presence: { value: { system: presence } } },
    findings: [],
    effects: [],
    cause: 'event',
    detail: 'x',
    at: 1_000 + v,
  });
}

describe('nameSortKey', () => {
  test('folds case and whitespace, ties break by id, unnamed agents sort last', () => {
    expect(nameSortKey('  Ada\tLOVELACE ', 'a1')).toBe('ada lovelace\ta1');
    const keys = [
      nameSortKey(null, 'z'),
      nameSortKey('bob', 'b'),
      nameSortKey('Ada', 'y'),
      nameSortKey('ada', 'x'),
      nameSortKey('Ada Byron', 'c'),
    ].sort();
    expect(keys.map((k) => k.split('\t')[1])).toEqual(['x', 'y', 'c', 'b', 'z']);
  });
});

describe('agent profiles', () => {
  test('write, read back, rename and remove keep the name index in line', async () => {
    const { keys, profiles } = setup();
    await profiles.write([
      profile('a1', 'Zoe', { queueIds: ['q2', 'q1', 'q1'], divisionId: 'd1', managementUnitId: 'mu1' }),
    ]);
    expect(await profiles.read(['a1', 'nobody'])).toEqual([
      {
        agentId: 'a1',
        name: 'Zoe',
        queueIds: ['q1', 'q2'],
        divisionId: 'd1',
        managementUnitId: 'mu1',
        updatedAt: 1_000,
      },
      null,
    ]);
    // The same content again (a new lease holder rewriting every agent) keeps when it last changed.
    await profiles.write([
      profile('a1', 'Zoe', {
        queueIds: ['q1', 'q2'],
        divisionId: 'd1',
        managementUnitId: 'mu1',
        updatedAt: 9_000,
      }),
    ]);
    expect((await profiles.read(['a1']))[0]?.updatedAt).toBe(1_000);
    await profiles.write([profile('a1', 'Adam')]);
    expect(await redis.zrange(keys.agentsByName(), 0, -1)).toEqual(['adam\ta1']);
    await profiles.remove(['a1']);
    expect(await redis.zcard(keys.agentsByName())).toBe(0);
    expect(await profiles.read(['a1'])).toEqual([null]);
  });

  test('an agent named after its first profile leaves the unnamed end of the index', async () => {
    const { keys, profiles } = setup();
    await profiles.write([profile('a1', null), profile('a2', '  ')]);
    expect(await redis.zrange(keys.agentsByName(), 0, -1)).toEqual(['\u{10FFFF}\ta1', '\u{10FFFF}\ta2']);
    await profiles.write([profile('a1', 'Émile'), profile('a2', 'bo')]);
    expect(await redis.zrange(keys.agentsByName(), 0, -1)).toEqual(['bo\ta2', 'émile\ta1']);
  });

  test('refuses an invalid profile and writes nothing', async () => {
    const { keys, profiles } = setup();
    await expect(
      profiles.write([profile('ok', 'A'), profile('bad', 'B', { queueIds: ['q x'] })]),
    ).rejects.toThrow(/queue id/);
    await expect(profiles.write([profile('a', 'x'.repeat(257))])).rejects.toThrow(/name/);
    expect(await redis.hlen(keys.agentProfiles())).toBe(0);
  });

  test('membership tags answer the filters, follow a membership change, and survive commits', async () => {
    const { profiles, index, store } = setup();
    await commitOf(store, 'a1');
    await commitOf(store, 'a2');
    await profiles.write([
      profile('a1', 'One', { queueIds: ['q1'], divisionId: 'd1', managementUnitId: 'm1' }),
      profile('a2', 'Two', { queueIds: ['q1', 'q2'], divisionId: 'd2' }),
    ]);
    const list = async (...tags: string[]) => ids(await index.list({ tags, sort: 'id', limit: 10 }));
    expect(await list('queue:q1')).toEqual(['a1', 'a2']);
    expect(await list('queue:q2')).toEqual(['a2']);
    expect(await list('division:d1')).toEqual(['a1']);
    expect(await list('mu:m1', 'presence:AVAILABLE')).toEqual(['a1']);

    // A commit without tags (the engine's) keeps them; a presence change moves only the presence tag.
    await commitOf(store, 'a1', 1, 'BUSY');
    expect(await list('queue:q1', 'presence:BUSY')).toEqual(['a1']);
    expect(await list('presence:AVAILABLE')).toEqual(['a2']);

    // Memberships change without a commit: the tags follow.
    await profiles.write([profile('a1', 'One', { queueIds: ['q2'], divisionId: 'd1' })]);
    expect(await list('queue:q1')).toEqual(['a2']);
    expect(await list('queue:q2')).toEqual(['a1', 'a2']);
    expect(await list('mu:m1')).toEqual([]);
    expect(await list('presence:BUSY')).toEqual(['a1']);

    // No longer watched: the membership tags go, the state tags stay.
    await profiles.remove(['a2']);
    expect(await list('queue:q2')).toEqual(['a1']);
    expect(await list('presence:AVAILABLE')).toEqual(['a2']);
  });

  test('an agent profiled before its first commit enters the tag sets with that commit', async () => {
    const { profiles, index, store } = setup();
    await profiles.write([profile('early', 'Early', { queueIds: ['q1'] })]);
    expect(ids(await index.list({ tags: ['queue:q1'], sort: 'id', limit: 10 }))).toEqual([]);
    await commitOf(store, 'early');
    expect(ids(await index.list({ tags: ['queue:q1'], sort: 'id', limit: 10 }))).toEqual(['early']);
  });
});

describe('agents by name', () => {
  for (const [label, smallSetMax] of [
    ['walking the name index', 0],
    ['sorting a small set in memory', undefined],
  ] as const) {
    test(`pages are stable and ordered, filtered or not (${label})`, async () => {
      const { profiles, index, store } = setup(smallSetMax);
      const names = ['delta', 'Alpha', 'charlie', null, 'bravo', 'alpha', 'Echo'];
      for (const [i] of names.entries()) await commitOf(store, `a${i}`);
      await profiles.write(
        names.map((name, i) => profile(`a${i}`, name, { queueIds: i % 2 === 0 ? ['even'] : ['odd'] })),
      );
      const walk = async (tags: string[], limit: number) => {
        const seen: string[] = [];
        let after: { id: string; name?: string } | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await index.list({ tags, sort: 'name', limit, ...(after ? { after } : {}) });
          seen.push(...ids(page));
          if (page.next === null) return seen;
          after = page.next;
        }
        throw new Error('too many pages');
      };
      // alpha(a1) and Alpha(a5) tie on the folded name: the id breaks the tie; the unnamed agent comes last.
      expect(await walk([], 2)).toEqual(['a1', 'a5', 'a4', 'a2', 'a0', 'a6', 'a3']);
      expect(await walk([], 100)).toEqual(['a1', 'a5', 'a4', 'a2', 'a0', 'a6', 'a3']);
      expect(await walk(['queue:even'], 1)).toEqual(['a4', 'a2', 'a0', 'a6']);
      expect(await walk(['queue:odd', 'presence:AVAILABLE'], 2)).toEqual(['a1', 'a5', 'a3']);
      const page = await index.list({ tags: [], sort: 'name', limit: 3 });
      expect(page.agents[0]).toEqual({ agentId: 'a1', stateSince: 1_000 });
    });
  }

  test('a rename between pages neither repeats nor skips the agents after the cursor', async () => {
    const { profiles, index, store } = setup();
    for (const id of ['a', 'b', 'c']) await commitOf(store, id);
    await profiles.write([profile('a', 'ann'), profile('b', 'bea'), profile('c', 'cid')]);
    const first = await index.list({ tags: [], sort: 'name', limit: 1 });
    expect(ids(first)).toEqual(['a']);
    await profiles.write([profile('a', 'zed')]);
    const rest = await index.list({ tags: [], sort: 'name', limit: 10, after: first.next ?? { id: '' } });
    expect(ids(rest)).toEqual(['b', 'c', 'a']);
  });
});
