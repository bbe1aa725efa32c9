import { createGenesysApi, type GenesysApi, systemClock } from '@lockstep/genesys';
import { type SimProcess, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery } from '../discovery.js';
import { parseSelector } from '../selector.js';
import { attributesOf, userFacts } from './attributes-of.js';

const SUPPORT = '4750048b-1994-41d4-8410-a5760c49a6cd';
const DIVISION = '0d1f1e2a-0000-4000-8000-000000000001';
const MU = '2d4c6e8a-0b1d-4f3e-9a7c-5e6f7a8b9c0d';
const HOUR = 3_600_000;

interface Truth {
  id: string;
  name: string;
  divisionId: string;
  managementUnitId: string | null;
}

let sim: SimProcess;
let api: GenesysApi;
let truth: Truth[];
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  sim = await startSim({ scenario: 'calm-day' });
  api = createGenesysApi({
    options: {
      target: { apiBase: sim.baseUrl },
      clientId: 'lockstep-demo',
      clientSecret: 'lockstep-demo-secret',
      pacing: { ratePerMinute: 3000 },
    },
    logger,
  });
  await api.start();
  truth = await sim.control<Truth[]>('GET', '/__sim/agents');
}, 60_000);

afterAll(async () => {
  api?.close();
  await sim?.stop();
});

describe('agent attributes from what discovery and the user read say', () => {
  it('discovery keeps the selected queues and units each agent was found through', async () => {
    const changed: string[][] = [];
    const discovery = createDiscovery({
      api,
      selector: parseSelector(`queue:${SUPPORT},mu:${MU}`),
      shard: { index: 0, count: 1 },
      logger,
      clock: systemClock,
      intervalMs: 60_000,
      onMemberships: (ids) => changed.push([...ids]),
      onChange: async () => {},
    });
    const agents = await discovery.start();
    const members = new Set((await api.users.listQueueMembers(SUPPORT)).flatMap((m) => m.id ?? []));
    const inMu = new Set(truth.filter((a) => a.managementUnitId === MU).map((a) => a.id));
    expect(agents.length).toBeGreaterThan(0);
    for (const id of agents) {
      expect(discovery.memberships(id)).toEqual({
        queueIds: members.has(id) ? [SUPPORT] : [],
        managementUnitIds: inMu.has(id) ? [MU] : [],
        divisionIds: [],
      });
    }
    expect(changed.flat().sort()).toEqual([...agents].sort());
    expect(discovery.memberships('not-tracked')).toBeUndefined();

    // An agent joining the queue is reported again with its new membership.
    const newcomer = agents.find((id) => !members.has(id));
    expect(newcomer).toMatch(/./);
    await sim.control('POST', '/__sim/actions', {
      type: 'join-queue',
      agentId: newcomer,
      queueId: SUPPORT,
    });
    changed.length = 0;
    await discovery.refresh('test');
    expect(changed).toEqual([[newcomer]]);
    expect(discovery.memberships(newcomer as string)?.queueIds).toEqual([SUPPORT]);
    await discovery.close();
  });

  it('the user read gives the name, the division and the station type', async () => {
    const one = truth.find((a) => a.divisionId === DIVISION) as Truth;
    const user = await api.users.getUser(one.id);
    const facts = userFacts(user);
    expect(facts).toEqual({ name: one.name, divisionId: DIVISION, stationType: 'inin_webrtc_softphone' });
    const attrs = attributesOf({
      memberships: { queueIds: [SUPPORT], managementUnitIds: [MU], divisionIds: [] },
      user: facts,
      wfm: undefined,
      signals: undefined,
      now: 0,
    });
    expect(attrs).toMatchObject({
      queueIds: [SUPPORT],
      managementUnitId: MU,
      divisionId: DIVISION,
      stationType: 'inin_webrtc_softphone',
    });
  });
});

describe('attributesOf', () => {
  const base = { memberships: undefined, user: undefined, now: 100 * HOUR };
  it('a schedule change counts for 24 h; WFM facts win over the unit discovery found', () => {
    const wfm = {
      managementUnitId: 'mu-wfm',
      timeZone: 'America/Chicago',
      scheduleChange: { kind: 'swap', at: 90 * HOUR },
    };
    const fresh = attributesOf({
      ...base,
      memberships: { queueIds: [], managementUnitIds: ['mu-selector'], divisionIds: [] },
      wfm,
      signals: undefined,
    });
    expect(fresh).toMatchObject({
      managementUnitId: 'mu-wfm',
      timeZone: 'America/Chicago',
      scheduleChange24h: 'swap',
    });
    const later = attributesOf({ ...base, now: 115 * HOUR, wfm, signals: undefined });
    expect(later.scheduleChange24h).toBeNull();
  });

  it('time off pending or approved, an interaction and the presence source come from the signals', () => {
    const stamp = { at: 0, seenAt: 0, source: 'event' as const };
    const pending = attributesOf({
      ...base,
      wfm: undefined,
      signals: {
        timeOff: { ...stamp, value: { active: false, pending: 1 } },
        interactions: { ...stamp, value: { active: 1, acw: 0 } },
        presence: { ...stamp, value: { system: 'AVAILABLE', definitionId: null, source: 'WFM-PUSH' } },
      },
    });
    expect(pending).toMatchObject({
      timeOff: 'pending',
      interactionInProgress: true,
      presenceSource: 'WFM-PUSH',
    });
    const approved = attributesOf({
      ...base,
      wfm: undefined,
      signals: {
        timeOff: {
          ...stamp,
          value: { active: false, pending: 0, intervals: [{ start: 120 * HOUR, end: 128 * HOUR }] },
        },
      },
    });
    expect(approved).toMatchObject({
      timeOff: 'approved',
      interactionInProgress: false,
      presenceSource: null,
    });
    const past = attributesOf({
      ...base,
      wfm: undefined,
      signals: {
        timeOff: { ...stamp, value: { active: false, pending: 0, intervals: [{ start: 0, end: HOUR }] } },
      },
    });
    expect(past.timeOff).toBeNull();
  });
});
