/**
 * Schedules end to end on the Friday-publish seed scenario (America/Chicago, early shifts from 06:00): the
 * simulator answers the MU schedule search with a `downloadUrl`; the engine loads every agent's published schedule,
 * sees the 05:59:10 shift swaps, and the agents whose station the platform drops at login (schedule changed in the
 * last 24 h and a pending time off) get `station-not-up-at-shift-start` from the schedule boundary, carrying the
 * schedule change and the pending time off as evidence. Controls with a station stay quiet.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectRedis,
  createIncidentStore,
  createKeys,
  createReads,
  type IncidentStore,
  type Reads,
  type RedisClient,
} from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'friday:';
const RULE = 'station-not-up-at-shift-start';
const QUEUE = '1c3e5a7b-9d1f-4b3c-8e5d-7f9a1b3c5d7e';
const agent = (tag: string) => `f0000000-0000-4000-8000-00000000${tag}`;
const FAILING = ['d001', 'd002', 'd003'].map(agent);

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let reads: Reads;
let incidents: IncidentStore;
let runtime: EngineRuntime;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-friday-'));
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ rules: { [RULE]: { graceMs: 20_000 } } }));
  [sim, server] = await Promise.all([
    startSim({ scenario: 'friday-schedule-publish', args: ['--schedule-search-answer', 'download'] }),
    startRedis(),
  ]);
  redis = connectRedis(server.url);
  reads = createReads({ redis, keys: createKeys(PREFIX) });
  incidents = createIncidentStore({ redis, keys: createKeys(PREFIX) });
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: `queue:${QUEUE}`,
    LOCKSTEP_KEY_PREFIX: PREFIX,
    LOCKSTEP_POLICY_FILE: policy,
    LOCKSTEP_SCHEDULE_DOWNLOAD_HTTP: 'true',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    // The scenario's three failing agents make an incident.
    LOCKSTEP_INCIDENT_MIN_AGENTS: '3',
    LOCKSTEP_INCIDENT_INTERVAL_MS: '1000',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
  });
  runtime = await startEngineRuntime(config, pino({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

interface Signals {
  plannedSchedule?: { value: { segments: unknown[]; changedAt: number | null; change: string | null } };
}
const planned = async (id: string) =>
  ((await reads.readAgent(id))?.signals as Signals | undefined)?.plannedSchedule;

it('the agents whose station does not come up at shift start get the station rule with the schedule change and pending time off', async () => {
  // Every agent's schedule is loaded from the download form, and the swapped agent's change is recorded.
  await pollUntil(async () => ((await planned(agent('d001')))?.value.change ?? undefined) !== undefined, {
    timeoutMs: 40_000,
    what: 'the swap of D1 recorded',
  });
  expect((await planned(agent('d001')))?.value.change).toBe('swap');
  const control = await planned(agent('e005'));
  expect(control?.value.segments.length).toBeGreaterThan(0);
  expect(control?.value.changedAt).toBeNull();

  // The scenario's own pending requests are on its 2024 calendar, long past on the anchored clock: D1 asks for
  const tomorrow = DateTime.now().setZone('America/Chicago').plus({ days: 1 });
  // tomorrow (Chicago) off as well, as D2 and D3 do, so the findings can name a time off to come.
  for (const id of FAILING) {
    await sim.control('POST', '/__sim/actions', {
      type: 'request-time-off',
      agentId: id,
      status: 'PENDING',
      fullDayDates: [tomorrow.toISODate()],
    });
  }
  const open = () => reads.listOpenFindings({ ruleId: RULE });
  await pollUntil(
    async () => {
      const ids = new Set((await open()).map((f) => f.agentId));
      return FAILING.every((id) => ids.has(id)) ? ids : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 500, what: `${RULE} on D1-D3` },
  );
  const findings = await open();
  expect(findings.map((f) => f.agentId).sort()).toEqual([...FAILING].sort());
  type Doc = { summary: string; evidence: Array<{ name: string; value: string }> };
  const offText = `pending ${tomorrow.toFormat('ccc d LLL', { locale: 'en-US' })} (full day ${tomorrow.setLocale('en-US').offsetNameShort})`;
  const finding = await pollUntil(
    async () => {
      const doc = (await open()).find((f) => f.agentId === agent('d001'))?.finding as Doc | undefined;
      return doc?.evidence.some((e) => e.name === 'timeOff') ? doc : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500, what: 'the pending time off in the evidence of D1' },
  );
  const evidence = Object.fromEntries(finding.evidence.map((e) => [e.name, e.value]));
  expect(evidence.scheduleChange24h).toBe('swap');
  expect(evidence.timeOff).toBe(offText);
  expect(evidence.station).toBe('none');
  expect(finding.summary).toMatch(/schedule changed \d+ min earlier \(swap\); time off pending /);

  // One incident groups them, and what they share comes first: the swap and the pending time off, which the
  // agents of the same management unit that kept their station do not have.
  type IncidentBody = {
    ruleId: string;
    members: Array<{ agentId: string }>;
    commonCause: Array<{ id: string; text: string }>;
  };
  const incident = await pollUntil(
    async () =>
      ((await incidents.openIncidents()) as unknown as IncidentBody[]).find(
        (i) => i.ruleId === RULE && i.members.length >= FAILING.length,
      ),
    { timeoutMs: 30_000, intervalMs: 500, what: `an incident of ${RULE}` },
  );
  expect(incident.members.map((m) => m.agentId).sort()).toEqual([...FAILING].sort());
  const causes = incident.commonCause.map((c) => c.id);
  expect(causes).toContain('scheduleChange24h');
  expect(causes).toContain('timeOff=pending');
  expect(causes.indexOf('scheduleChange24h')).toBeLessThan(3);
  expect(causes.indexOf('timeOff=pending')).toBeLessThan(3);
  expect(incident.commonCause.find((c) => c.id === 'scheduleChange24h')?.text).toMatch(
    /^3\/3 had a schedule change in the last 24 h \(baseline \d+ %\)$/,
  );
}, 240_000);
