import type { AgentContext, Effect, Finding } from '@lockstep/domain';
import { createManualClock } from '@lockstep/genesys';
import { createAgentProfiles, createAttributesStore, createKeys } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import type { User } from '@lockstep/genesys';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AgentMemberships } from '../discovery.js';
import { createAttributesKeeper } from './attributes-keeper.js';

const logger = pino({ level: 'silent' });
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

const stamp = { at: 0, seenAt: 0, source: 'event' as const };
const context = (pending: number) =>
  ({
    signals: {
      timeOff: { ...stamp, value: { active: false, pending } },
      presence: { ...stamp, value: { system: 'ON_QUEUE', definitionId: null, source: 'PURECLOUD' } },
    },
  }) as unknown as AgentContext;
const opened = (id: string): Effect => ({ type: 'finding.opened', finding: { id } as Finding });

function setup() {
  const keys = createKeys(`keep${++n}:`);
  const store = createAttributesStore({ redis, keys });
  const clock = createManualClock(1_000_000);
  let leader = true;
  const memberships = new Map<string, AgentMemberships>([
    ['a1', { queueIds: ['q1'], managementUnitIds: ['mu1'], divisionIds: [] }],
    ['a2', { queueIds: ['q2'], managementUnitIds: ['mu1'], divisionIds: [] }],
  ]);
  const profiles = createAgentProfiles({ redis, keys });
  const keeper = createAttributesKeeper({
    store,
    profiles,
    memberships: (id) => memberships.get(id),
    canAct: () => leader,
    clock,
    logger,
  });
  return { keys, store, profiles, clock, keeper, memberships, setLeader: (v: boolean) => (leader = v) };
}

describe('attributes keeper (real Redis)', () => {
  test('a commit marks the agent; the flush writes the baseline and the opening attributes', async () => {
    const { store, keeper } = setup();
    keeper.noteCommitted('a1', context(1), [opened('a1:r:1')]);
    keeper.touch(['a2']);
    expect(await store.readAgents()).toEqual(new Map());
    await keeper.flush();
    const agents = await store.readAgents();
    expect(agents.get('a1')).toMatchObject({
      queueIds: ['q1'],
      timeOff: 'pending',
      presenceSource: 'PURECLOUD',
    });
    expect(agents.get('a2')).toMatchObject({ queueIds: ['q2'], timeOff: null, managementUnitId: 'mu1' });
    expect(await store.readFindings([{ agentId: 'a1', findingId: 'a1:r:1' }])).toEqual([
      expect.objectContaining({ timeOff: 'pending', queueIds: ['q1'] }),
    ]);

    // Later changes move the baseline, never the attributes captured when the finding opened.
    keeper.noteCommitted('a1', context(0), []);
    keeper.setWfmFacts('a1', { scheduleChange: { kind: 'swap', at: 999_000 }, timeZone: 'America/Chicago' });
    await keeper.flush();
    expect((await store.readAgents()).get('a1')).toMatchObject({
      timeOff: null,
      scheduleChange24h: 'swap',
      timeZone: 'America/Chicago',
    });
    expect(await store.readFindings([{ agentId: 'a1', findingId: 'a1:r:1' }])).toEqual([
      expect.objectContaining({ timeOff: 'pending', scheduleChange24h: null }),
    ]);
    await keeper.close();
  });

  test('a commit that starts an interaction or changes who set presence moves the baseline', async () => {
    const { store, keeper } = setup();
    const base = context(0);
    keeper.noteCommitted('a1', base, []);
    await keeper.flush();
    expect((await store.readAgents()).get('a1')).toMatchObject({
      interactionInProgress: false,
      presenceSource: 'PURECLOUD',
    });
    const withCall = {
      signals: { ...base.signals, interactions: { ...stamp, value: { active: 1, conversations: {} } } },
    } as unknown as AgentContext;
    keeper.noteCommitted('a1', withCall, []);
    await keeper.flush();
    expect((await store.readAgents()).get('a1')).toMatchObject({ interactionInProgress: true });
    const byIntegration = {
      signals: {
        ...withCall.signals,
        presence: { ...stamp, value: { system: 'AVAILABLE', definitionId: null, source: 'WFM-PLATFORM' } },
      },
    } as unknown as AgentContext;
    keeper.noteCommitted('a1', byIntegration, []);
    await keeper.flush();
    expect((await store.readAgents()).get('a1')).toMatchObject({
      interactionInProgress: true,
      presenceSource: 'WFM-PLATFORM',
    });
    await keeper.close();
  });

  test('only the shard lease holder writes the baseline; forgotten agents leave it', async () => {
    const { store, keeper, setLeader } = setup();
    setLeader(false);
    keeper.touch(['a1', 'a2']);
    await keeper.flush();
    expect(await store.readAgents()).toEqual(new Map());
    setLeader(true);
    keeper.touch(['a1', 'a2']);
    await keeper.flush();
    expect([...(await store.readAgents()).keys()].sort()).toEqual(['a1', 'a2']);
    await keeper.forget(['a2']);
    expect([...(await store.readAgents()).keys()]).toEqual(['a1']);
    await keeper.close();
  });

  test('the flush keeps the agent directory: name from the user read, memberships as they change', async () => {
    const { profiles, clock, keeper, memberships, setLeader } = setup();
    const user = { id: 'a1', name: '  Ada Lovelace ', division: { id: 'd1' } } as User;
    keeper.noteUser(user);
    keeper.touch(['a2']);
    setLeader(false);
    await keeper.flush();
    expect(await profiles.read(['a1', 'a2'])).toEqual([null, null]);
    setLeader(true);
    await keeper.flush();
    // a2's user has not been read by this engine: its entry waits (a previous holder's stays as it was).
    expect(await profiles.read(['a1', 'a2'])).toEqual([
      expect.objectContaining({ agentId: 'a1', name: 'Ada Lovelace' }),
      null,
    ]);
    keeper.noteUser({ id: 'a2', division: { id: 'd2' } } as User);
    await keeper.flush();
    expect(await profiles.read(['a1', 'a2'])).toEqual([
      {
        agentId: 'a1',
        name: 'Ada Lovelace',
        queueIds: ['q1'],
        divisionId: 'd1',
        managementUnitId: 'mu1',
        updatedAt: 1_000_000,
      },
      {
        agentId: 'a2',
        name: null,
        queueIds: ['q2'],
        divisionId: 'd2',
        managementUnitId: 'mu1',
        updatedAt: 1_000_000,
      },
    ]);

    // Unchanged: not rewritten (updatedAt says when it last changed). A membership change is.
    clock.advance(5_000);
    keeper.touch(['a1']);
    await keeper.flush();
    expect((await profiles.read(['a1']))[0]?.updatedAt).toBe(1_000_000);
    memberships.set('a1', { queueIds: ['q2', 'q3'], managementUnitIds: ['mu1'], divisionIds: [] });
    keeper.touch(['a1']);
    await keeper.flush();
    expect((await profiles.read(['a1']))[0]).toMatchObject({ queueIds: ['q2', 'q3'], updatedAt: 1_005_000 });

    memberships.delete('a2');
    await keeper.forget(['a2']);
    expect(await profiles.read(['a2'])).toEqual([null]);
    await keeper.close();
  });

  test("a new lease holder that has not read the user yet leaves the previous holder's entry as it was", async () => {
    const first = setup();
    first.keeper.noteUser({ id: 'a1', name: 'Ada', division: { id: 'd1' } } as User);
    await first.keeper.flush();
    await first.keeper.close();
    const next = createAttributesKeeper({
      store: first.store,
      profiles: first.profiles,
      memberships: (id) => first.memberships.get(id),
      canAct: () => true,
      clock: first.clock,
      logger,
    });
    next.touch(['a1']);
    await next.flush();
    expect((await first.profiles.read(['a1']))[0]).toMatchObject({ name: 'Ada', divisionId: 'd1' });
    await next.close();
  });
});
