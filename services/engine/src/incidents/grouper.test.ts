import type { AgentAttributes } from '@lockstep/domain';
import { createManualClock } from '@lockstep/genesys';
import {
  createAgentStore,
  createAttributesStore,
  createIncidentStore,
  createKeys,
  createOutbox,
  type FindingDoc,
} from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createIncidentGrouper } from './grouper.js';

const logger = pino({ level: 'silent' });
const RULE = 'on-queue-without-station';
const T0 = Date.UTC(2024, 2, 8, 12, 0, 0);
const MU = 'mu-chicago';

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

/** 40 watched agents of one MU and queue; agents 0-7 had a swap in the last 24 h and have pending time off. */
function attributesOf(i: number): AgentAttributes {
  return {
    queueIds: ['q-dispatch'],
    managementUnitId: MU,
    timeZone: 'America/Chicago',
    stationType: 'inin_webrtc_softphone',
    scheduleChange24h: i < 8 ? 'swap' : null,
    timeOff: i < 8 ? 'pending' : null,
    shiftStart: i % 2 === 0 ? '06:00' : '07:00',
    interactionInProgress: false,
    presenceSource: 'PURECLOUD',
  };
}
const agentId = (i: number) => `agent-${String(i).padStart(2, '0')}`;

function finding(i: number, openedAt: number, ruleId = RULE): FindingDoc {
  return { id: `${agentId(i)}:${ruleId}:${openedAt}`, ruleId, severity: 'warning', openedAt };
}

async function setup() {
  const keys = createKeys(`grp${++n}:`);
  const clock = createManualClock(T0);
  const attributes = createAttributesStore({ redis, keys });
  const incidents = createIncidentStore({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'notifier' });
  await outbox.ensureGroup('all');
  // Two engine shards, each committing its own agents under its own lease name.
  const shards = [0, 1].map((s) => createAgentStore({ redis, keys, lease: `shard-${s}-of-2` }));
  const versions = new Map<string, number>();
  async function commit(i: number, findings: FindingDoc[]) {
    const id = agentId(i);
    const expectedVersion = versions.get(id) ?? 0;
    const store = shards[i % 2];
    if (store === undefined) throw new Error('no shard');
    const { version } = await store.commit({
      agentId: id,
      expectedVersion,
      fence: 0,
      state: 's',
      machine: {},
      signals: {},
      findings,
      effects: [],
      cause: 'event',
      detail: 'test',
      at: clock.now(),
    });
    versions.set(id, version);
    // What the engine's attributes keeper does for a finding that opened.
    for (const f of findings) {
      await attributes.captureFindings([{ agentId: id, findingId: f.id, attributes: attributesOf(i) }]);
    }
  }
  await attributes.writeAgents(new Map(Array.from({ length: 40 }, (_, i) => [agentId(i), attributesOf(i)])));
  let failPublish = 0;
  const grouper = (owner: string) =>
    createIncidentGrouper({
      redis,
      keys,
      incidents,
      attributes,
      // The real outbox, failing the next `failPublish` publications (Redis errors between store and publish).
      outbox: {
        publishEntries(entries) {
          if (failPublish > 0) {
            failPublish--;
            return Promise.reject(new Error('connection lost'));
          }
          return outbox.publishEntries(entries);
        },
      },
      clock,
      logger,
      owner,
      settings: { minAgents: 5, windowMs: 5 * 60_000 },
      intervalMs: 1_000,
      sweepEvery: 1,
    });
  async function published() {
    const messages = await outbox.readGroup('reader', 100, 0);
    return messages.map((m) => m.effect as { type: string; incident: Record<string, unknown> });
  }
  return {
    keys,
    clock,
    commit,
    grouper,
    incidents,
    attributes,
    published,
    failNextPublish: () => (failPublish = 1),
  };
}

describe('incident grouper (real Redis)', () => {
  test('K agents of two shards failing one rule within the window make ONE incident naming what they share', async () => {
    const { clock, commit, grouper, incidents, published } = await setup();
    // Eight agents with a swap and pending time off fail, on both shards; 32 others of the same MU do not.
    for (let i = 0; i < 8; i++) {
      clock.advance(2_000);
      await commit(i, [finding(i, clock.now())]);
    }
    // A lone agent of another rule does not group.
    await commit(20, [finding(20, clock.now(), 'stuck-not-responding')]);
    const a = grouper('engine-a');
    const b = grouper('engine-b');
    expect(await a.runOnce()).toBe(true);
    // The second engine's grouper stands by: the lease is held.
    expect(await b.runOnce()).toBe(false);

    const page = await incidents.listIncidents({ status: 'open' });
    expect(page.incidents).toHaveLength(1);
    const incident = page.incidents[0] as unknown as {
      id: string;
      members: Array<{ agentId: string }>;
      commonCause: Array<{ id: string; text: string }>;
    };
    expect(incident.id).toBe(`incident:${RULE}:${T0 + 2_000}`);
    expect(incident.members.map((m) => m.agentId).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => agentId(i)),
    );
    // The unaffected agents of the same MU keep the MU, queue, zone and station type out of the cause.
    expect(incident.commonCause.slice(0, 3).map((c) => c.id)).toEqual([
      'scheduleChange24h',
      'scheduleChangeKind=swap',
      'timeOff=pending',
    ]);
    expect(incident.commonCause.map((c) => c.text)).toContain(
      '8/8 had a schedule change in the last 24 h (baseline 20 %)',
    );
    expect(incident.commonCause.map((c) => c.id)).not.toContain(`managementUnit=${MU}`);

    const effects = await published();
    expect(effects.map((e) => e.type)).toEqual(['incident.opened']);
    expect(effects[0]?.incident).toMatchObject({ id: incident.id, agents: 8, failing: 8 });

    // A pass with nothing new publishes nothing.
    clock.advance(1_000);
    await a.runOnce();
    expect(await published()).toEqual([]);
    await a.close();
    await b.close();
  });

  test('agents join and recover; the incident resolves when its findings do', async () => {
    const { clock, commit, grouper, incidents, published, attributes } = await setup();
    for (let i = 0; i < 5; i++) await commit(i, [finding(i, clock.now() + i)]);
    clock.advance(1_000);
    const g = grouper('engine-a');
    await g.runOnce();
    expect((await published()).map((e) => e.type)).toEqual(['incident.opened']);

    await commit(6, [finding(6, clock.now())]);
    clock.advance(1_000);
    await g.runOnce();
    const joined = await published();
    expect(joined).toMatchObject([{ type: 'incident.updated', joined: ['agent-06'] }]);

    for (const i of [0, 1, 2, 3, 4, 6]) await commit(i, []);
    clock.advance(1_000);
    await g.runOnce();
    const resolved = await published();
    expect(resolved.map((e) => e.type)).toEqual(['incident.resolved']);
    expect(resolved[0]?.incident).toMatchObject({ status: 'resolved', failing: 0 });
    expect((await incidents.listIncidents({ status: 'open' })).incidents).toEqual([]);
    expect((await incidents.listIncidents({ status: 'resolved' })).incidents).toHaveLength(1);
    // The opening attributes of closed findings are swept.
    expect(
      await attributes.readFindings([{ agentId: 'agent-00', findingId: `agent-00:${RULE}:${T0}` }]),
    ).toEqual([undefined]);
    await g.close();
  });

  test('under a storm of changes the baseline is read at most once a minute (the default)', async () => {
    const { clock, commit, grouper, incidents, attributes } = await setup();
    const swapText = async () => {
      const [incident] = (await incidents.listIncidents({ status: 'open' })).incidents as unknown as Array<{
        commonCause: Array<{ id: string; text: string }>;
      }>;
      return incident?.commonCause.find((c) => c.id === 'scheduleChange24h')?.text;
    };
    for (let i = 0; i < 5; i++) await commit(i, [finding(i, clock.now() + i)]);
    clock.advance(1_000);
    const g = grouper('engine-a');
    await g.runOnce();
    expect(await swapText()).toBe('5/5 had a schedule change in the last 24 h (baseline 20 %)');

    // Four more watched agents now had a swap; a joining agent changes the incident 10 s later.
    await attributes.writeAgents(
      new Map(Array.from({ length: 4 }, (_, i) => [agentId(20 + i), { ...attributesOf(0) }])),
    );
    await commit(5, [finding(5, clock.now())]);
    clock.advance(10_000);
    await g.runOnce();
    // The baseline read 11 s ago is still used (it is a share among every watched agent: it moves slowly).
    expect(await swapText()).toBe('6/6 had a schedule change in the last 24 h (baseline 20 %)');

    await commit(6, [finding(6, clock.now())]);
    clock.advance(50_000);
    await g.runOnce();
    // Past its maximum age (the default minute), the next changing pass reads it again: 8 + 4 of 40 agents.
    expect(await swapText()).toBe('7/7 had a schedule change in the last 24 h (baseline 30 %)');
    await g.close();
  });

  test('findings spread wider than the window open no incident', async () => {
    const { clock, commit, grouper, incidents } = await setup();
    for (let i = 0; i < 6; i++) {
      await commit(i, [finding(i, clock.now())]);
      clock.advance(2 * 60_000);
    }
    const g = grouper('engine-a');
    await g.runOnce();
    expect((await incidents.listIncidents()).incidents).toEqual([]);
    await g.close();
  });

  test('a new lease holder continues the stored incident instead of opening another', async () => {
    const { clock, commit, grouper, incidents, published } = await setup();
    for (let i = 0; i < 5; i++) await commit(i, [finding(i, clock.now())]);
    clock.advance(1_000);
    const a = grouper('engine-a');
    await a.runOnce();
    await a.close();
    await published();
    await commit(7, [finding(7, clock.now())]);
    clock.advance(1_000);
    const b = grouper('engine-b');
    expect(await b.runOnce()).toBe(true);
    expect((await published()).map((e) => e.type)).toEqual(['incident.updated']);
    expect((await incidents.listIncidents()).incidents).toHaveLength(1);
    await b.close();
  });

  test('a change stored but not published is published at the next pass, once', async () => {
    const { clock, commit, grouper, incidents, published, failNextPublish } = await setup();
    for (let i = 0; i < 5; i++) await commit(i, [finding(i, clock.now())]);
    clock.advance(1_000);
    const g = grouper('engine-a');
    failNextPublish();
    expect(await g.runOnce()).toBe(true);
    expect((await incidents.listIncidents({ status: 'open' })).incidents).toHaveLength(1);
    expect(await published()).toEqual([]);
    clock.advance(1_000);
    await g.runOnce();
    expect((await published()).map((e) => e.type)).toEqual(['incident.opened']);
    clock.advance(1_000);
    await g.runOnce();
    expect(await published()).toEqual([]);
    await g.close();
  });
});
