/**
 * Time off end to end: the simulator serves management units in Australia/Sydney and America/Los_Angeles, the
 * engine reads each business unit's time zone and the agents' time-off requests, and `out-of-adherence-on-queue`
 * (every agent is scheduled for on-queue work and is Away) stays quiet exactly while time off is active. Time off
 * starting or ending flips the rule on time, with no event arriving.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, createKeys, createReads, type Reads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'timeoff:';
const RULE = 'out-of-adherence-on-queue';
const GRACE_MS = 2_000;
const SYDNEY = 'Australia/Sydney';
const LOS_ANGELES = 'America/Los_Angeles';
const QUEUE = 'to-main';
const MU = { [SYDNEY]: 'to-mu-sydney', [LOS_ANGELES]: 'to-mu-la' } as const;
const AGENTS = {
  sydneyFullDay: { id: 'to-syd-full-day', zone: SYDNEY },
  laFullDay: { id: 'to-la-full-day', zone: LOS_ANGELES },
  control: { id: 'to-control', zone: SYDNEY },
  starting: { id: 'to-starting', zone: LOS_ANGELES },
  ending: { id: 'to-ending', zone: SYDNEY },
  resynced: { id: 'to-resynced', zone: LOS_ANGELES },
} as const;

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let reads: Reads;
let runtime: EngineRuntime;

const local = (zone: string, ms: number) =>
  DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
const today = (zone: string) => DateTime.now().setZone(zone).toISODate() as string;

beforeAll(async () => {
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-timeoff-'));
  const scenario = join(dir, 'world.json');
  const policy = join(dir, 'policy.json');
  const agents = Object.values(AGENTS);
  writeFileSync(
    scenario,
    JSON.stringify({
      name: 'time-off',
      seed: 5,
      start: { local: local(SYDNEY, now), zone: SYDNEY },
      queues: [{ id: QUEUE, name: 'Main', callsPerMinute: 0 }],
      businessUnits: [
        { id: 'to-bu-sydney', name: 'Sydney', timeZone: SYDNEY },
        { id: 'to-bu-la', name: 'Los Angeles', timeZone: LOS_ANGELES },
      ],
      managementUnits: [
        { id: MU[SYDNEY], name: 'Sydney', businessUnitId: 'to-bu-sydney', timeZone: SYDNEY },
        { id: MU[LOS_ANGELES], name: 'Los Angeles', businessUnitId: 'to-bu-la', timeZone: LOS_ANGELES },
      ],
      agents: agents.map((a) => ({
        id: a.id,
        name: a.id,
        queues: [QUEUE],
        managementUnitId: MU[a.zone],
        presence: 'Away',
        station: 'associated',
      })),
      // On-queue work from an hour ago for ten hours, in each agent's MU-local wall time.
      schedules: agents.map((a) => ({
        agentId: a.id,
        shifts: [
          {
            activities: [{ start: local(a.zone, now - 3_600_000), lengthMinutes: 600, activityCodeId: '0' }],
          },
        ],
      })),
      timeOffRequests: [AGENTS.sydneyFullDay, AGENTS.laFullDay].map((a) => ({
        agentId: a.id,
        status: 'APPROVED',
        fullDayDates: [today(a.zone)],
      })),
    }),
  );
  writeFileSync(policy, JSON.stringify({ rules: { [RULE]: { graceMs: GRACE_MS, action: 'alert' } } }));
  [sim, server] = await Promise.all([startSim({ scenario }), startRedis()]);
  redis = connectRedis(server.url);
  reads = createReads({ redis, keys: createKeys(PREFIX) });
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: `queue:${QUEUE}`,
    LOCKSTEP_KEY_PREFIX: PREFIX,
    LOCKSTEP_POLICY_FILE: policy,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
  });
  runtime = await startEngineRuntime(config, pino({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

/** The agent's open finding of the rule, or `undefined`. */
async function finding(agentId: string) {
  const record = await reads.readAgent(agentId);
  return (record?.findings as Array<{ ruleId: string; since: number; openedAt: number }> | undefined)?.find(
    (f) => f.ruleId === RULE,
  );
}

const waitOpen = (agentId: string, timeoutMs: number) =>
  pollUntil(async () => finding(agentId), {
    timeoutMs,
    intervalMs: 50,
    what: `a ${RULE} finding on ${agentId}`,
  });
const waitResolved = (agentId: string, timeoutMs: number) =>
  pollUntil(async () => ((await finding(agentId)) === undefined ? Date.now() : undefined), {
    timeoutMs,
    intervalMs: 50,
    what: `the ${RULE} finding on ${agentId} to resolve`,
  });

describe('time off in the management unit time zone', () => {
  it('a full day in the MU zone (Sydney and Los Angeles) keeps an absent agent out of the rule', async () => {
    // The control agent, in the same state without time off, shows the rule fires.
    await waitOpen(AGENTS.control.id, 15_000);
    await runtime.engine.idle();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1_000));
    expect(await finding(AGENTS.sydneyFullDay.id)).toBeUndefined();
    expect(await finding(AGENTS.laFullDay.id)).toBeUndefined();
    const signals = (await reads.readAgent(AGENTS.sydneyFullDay.id))?.signals as {
      timeOff?: { value: { active: boolean; intervals: Array<{ start: number; end: number }> } };
    };
    const midnight = DateTime.now().setZone(SYDNEY).startOf('day');
    expect(signals.timeOff?.value).toMatchObject({
      active: true,
      intervals: [{ start: midnight.toMillis(), end: midnight.plus({ days: 1 }).toMillis() }],
    });
  });

  it('a time off approved for later suppresses the rule from its start, with no event at the start', async () => {
    const agentId = AGENTS.starting.id;
    await waitOpen(agentId, 15_000);
    const start = Date.now() + 4_000;
    await sim.control('POST', '/__sim/actions', {
      type: 'request-time-off',
      agentId,
      status: 'APPROVED',
      partialStart: new Date(start).toISOString(),
      minutes: 60,
    });
    const resolvedAt = await waitResolved(agentId, 10_000);
    expect(resolvedAt).toBeGreaterThanOrEqual(start);
    expect(resolvedAt).toBeLessThan(start + 3_000);
  });

  it('a time off that ends lets the rule fire again, its grace counted from the end', async () => {
    const agentId = AGENTS.ending.id;
    await waitOpen(agentId, 15_000);
    const end = Date.now() + 10_000;
    await sim.control('POST', '/__sim/actions', {
      type: 'request-time-off',
      agentId,
      status: 'APPROVED',
      partialStart: new Date(end - 60_000).toISOString(),
      minutes: 1,
    });
    await waitResolved(agentId, 5_000);
    const reopened = await waitOpen(agentId, 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(end + GRACE_MS);
    expect(reopened.since).toBe(end);
    expect(reopened.openedAt).toBeGreaterThanOrEqual(end + GRACE_MS);
  });

  it('every resync re-reads time off, so a lost time-off notification is caught up', async () => {
    const agentId = AGENTS.resynced.id;
    await waitOpen(agentId, 15_000);
    const drop = await sim.control<{ id: string }>('POST', '/__sim/faults', {
      kind: 'events',
      mode: 'drop',
      topic: 'timeoffrequests',
      agentId,
    });
    await sim.control('POST', '/__sim/actions', {
      type: 'request-time-off',
      agentId,
      status: 'APPROVED',
      partialStart: new Date(Date.now() - 60_000).toISOString(),
      minutes: 120,
    });
    await sim.control('DELETE', `/__sim/faults/${drop.id}`);
    await runtime.engine.idle();
    // The notification was lost: nothing changed.
    expect(await finding(agentId)).toMatchObject({ ruleId: RULE });
    runtime.engine.resync([agentId], 'gap');
    await waitResolved(agentId, 10_000);
  });

  it("the incident attributes carry the agent's management unit, the zone of its time off and the approved time off", async () => {
    const key = createKeys(PREFIX).agentAttributes();
    const attributes = await pollUntil(
      async () => {
        const text = await redis.hget(key, AGENTS.sydneyFullDay.id);
        const value = text === null ? undefined : (JSON.parse(text) as Record<string, unknown>);
        return value?.timeZone === SYDNEY && value.timeOff === 'approved' ? value : undefined;
      },
      { timeoutMs: 10_000, what: 'the attributes of the Sydney agent' },
    );
    expect(attributes).toMatchObject({ managementUnitId: MU[SYDNEY], queueIds: [QUEUE] });
    const la = JSON.parse((await redis.hget(key, AGENTS.laFullDay.id)) ?? '{}') as Record<string, unknown>;
    expect(la).toMatchObject({ managementUnitId: MU[LOS_ANGELES], timeZone: LOS_ANGELES });
  });
});
