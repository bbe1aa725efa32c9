import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentStore } from './agent-store.js';
import { InvalidInputError } from './errors.js';
import { repairFindingsIndex } from './findings-repair.js';
import { createKeys } from './keys.js';
import { createReads } from './reads.js';
import type { AgentCommit, FindingDoc } from './types.js';

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
  const keys = createKeys(`rd${++n}:`);
  return { keys, store: createAgentStore({ redis, keys }), reads: createReads({ redis, keys }) };
}

function finding(id: string, ruleId: string, openedAt: number): FindingDoc {
  return { id, ruleId, severity: 'warning', openedAt, message: `${ruleId} on ${id}` };
}

function commit(agentId: string, expectedVersion: number, findings: FindingDoc[]): AgentCommit {
  return {
    agentId,
    expectedVersion,
    fence: 0,
    state: 's',
    machine: {},
    signals: {},
    findings,
    effects: [],
    cause: 'event',
    detail: '',
  };
}

describe('open findings', () => {
  test('are listed newest first, filtered by rule, limited, and follow resolution', async () => {
    const { keys, store, reads } = setup();
    await store.commit(commit('a1', 0, [finding('f1', 'R1', 100)]));
    await store.commit(commit('a2', 0, [finding('f2', 'R2', 200), finding('f3', 'R1', 300)]));

    const all = await reads.listOpenFindings();
    expect(all.map((o) => `${o.agentId}/${o.finding.id}`)).toEqual(['a2/f3', 'a2/f2', 'a1/f1']);
    expect(all[0]?.finding).toEqual(finding('f3', 'R1', 300));
    const r1 = await reads.listOpenFindings({ ruleId: 'R1' });
    expect(r1.map((o) => o.finding.id)).toEqual(['f3', 'f1']);
    expect((await reads.listOpenFindings({ limit: 1 })).map((o) => o.finding.id)).toEqual(['f3']);

    // f3 resolves: gone from the list and from both index sets.
    await store.commit(commit('a2', 1, [finding('f2', 'R2', 200)]));
    expect((await reads.listOpenFindings()).map((o) => o.finding.id)).toEqual(['f2', 'f1']);
    expect(await redis.zscore(keys.findingsOpen(), 'a2|f3')).toBeNull();
    expect(await redis.zscore(keys.findingsByRule('R1'), 'a2|f3')).toBeNull();
    expect(await redis.zcard(keys.findingsOpen())).toBe(2);
  });

  test('a stale index never yields a closed finding, and a lost index update is healed', async () => {
    const { keys, store, reads } = setup();
    await store.commit(commit('a1', 0, [finding('f1', 'R1', 100)]));
    // Stale leftovers: a finding the agent no longer has, and an agent that does not exist.
    await redis.zadd(keys.findingsOpen(), 500, 'a1|ghost', 600, 'nobody|f9');
    await redis.zadd(keys.findingsByRule('R1'), 500, 'a1|ghost');
    expect((await reads.listOpenFindings()).map((o) => o.finding.id)).toEqual(['f1']);
    expect((await reads.listOpenFindings({ ruleId: 'R1', limit: 1 })).map((o) => o.finding.id)).toEqual([
      'f1',
    ]);

    // A lost index update (crash after commit). Commits that leave the findings unchanged do not write the
    // index; the startup repair re-adds it, and so does the next commit that changes the agent's findings.
    await redis.zrem(keys.findingsOpen(), 'a1|f1');
    expect(await reads.listOpenFindings()).toEqual([]);
    await store.commit(commit('a1', 1, [finding('f1', 'R1', 100)]));
    await repairFindingsIndex({ redis, keys });
    expect((await reads.listOpenFindings()).map((o) => o.finding.id)).toEqual(['f1']);
    await redis.zrem(keys.findingsOpen(), 'a1|f1');
    await store.commit(commit('a1', 2, [finding('f1', 'R1', 100), finding('f4', 'R2', 700)]));
    expect((await reads.listOpenFindings()).map((o) => o.finding.id)).toEqual(['f4', 'f1']);
  });

  test('repair removes stale members from every index set and re-adds lost ones', async () => {
    const { keys, store, reads } = setup();
    await store.commit(commit('a1', 0, [finding('f1', 'R1', 100), finding('f2', 'R2', 200)]));
    await store.commit(commit('a2', 0, [finding('f3', 'R1', 300)]));
    // Lost updates: a resolved finding left behind, an open one missing, and a finding under the wrong rule.
    await redis.zadd(keys.findingsOpen(), 50, 'a1|gone', 60, 'bad-member');
    await redis.zadd(keys.findingsByRule('R1'), 50, 'a1|gone', 70, 'a1|f2');
    await redis.zrem(keys.findingsOpen(), 'a2|f3');
    await redis.zrem(keys.findingsByRule('R1'), 'a2|f3');

    const report = await repairFindingsIndex({ redis, keys, pageSize: 1 });
    expect(report).toEqual({ removed: 4, agentsReindexed: 2 });
    expect((await redis.zrange(keys.findingsOpen(), 0, -1)).sort()).toEqual(['a1|f1', 'a1|f2', 'a2|f3']);
    expect((await redis.zrange(keys.findingsByRule('R1'), 0, -1)).sort()).toEqual(['a1|f1', 'a2|f3']);
    expect((await redis.zrange(keys.findingsByRule('R2'), 0, -1)).sort()).toEqual(['a1|f2']);
    expect((await reads.listOpenFindings()).map((o) => o.finding.id)).toEqual(['f3', 'f2', 'f1']);
    expect(await repairFindingsIndex({ redis, keys })).toEqual({ removed: 0, agentsReindexed: 2 });
  });

  test('limit is validated', async () => {
    const { reads } = setup();
    await expect(reads.listOpenFindings({ limit: 0 })).rejects.toThrow(InvalidInputError);
    await expect(reads.listOpenFindings({ limit: 1001 })).rejects.toThrow(InvalidInputError);
    await expect(reads.listOpenFindings({ ruleId: 'a{b}' })).rejects.toThrow(InvalidInputError);
  });
});

describe('agents', () => {
  test('listAgents pages through every committed agent in id order', async () => {
    const { store, reads } = setup();
    for (const a of ['e', 'c', 'a', 'd', 'b']) await store.commit(commit(a, 0, []));
    const p1 = await reads.listAgents({ count: 2 });
    expect(p1).toEqual({ agentIds: ['a', 'b'], cursor: 'b' });
    const p2 = await reads.listAgents({ cursor: p1.cursor, count: 2 });
    expect(p2).toEqual({ agentIds: ['c', 'd'], cursor: 'd' });
    expect(await reads.listAgents({ cursor: p2.cursor, count: 2 })).toEqual({
      agentIds: ['e'],
      cursor: null,
    });
  });

  test('readAgent reports open findings and corrupt data as a coded error', async () => {
    const { keys, store, reads } = setup();
    await store.commit(commit('a1', 0, [finding('f1', 'R1', 100)]));
    expect((await reads.readAgent('a1'))?.findings).toEqual([finding('f1', 'R1', 100)]);
    await redis.hset(keys.agent('a1'), 'machine', '{not json');
    await expect(reads.readAgent('a1')).rejects.toMatchObject({ code: 'STORE_CORRUPT_DATA' });
  });
});
