/**
 * Incident grouping benchmark: what one grouping pass costs while a storm opens 1,000 findings within a minute.
 *
 * A real `redis-server` holds 10,000 watched agents' attributes (the baseline). Findings are committed through the
 * agent store (so the per-rule indexes are written as the engine writes them) with their opening attributes, in
 * `--steps` batches spread over one minute of a manual clock; the engine's incident grouper runs one pass after each
 * batch (the first pass past K opens the incident, the later ones add the joining agents), then `--idle` passes with
 * nothing new. Printed: the duration of each kind of pass, the CPU of `groupIncidents` alone, and the size of the
 * stored incident.
 *
 *   node --conditions=@lockstep/source --import tsx bench/incidents.ts [--agents 10000] [--findings 1000] [--rules 1]
 *     [--steps 20] [--idle 20]
 */
import { parseArgs } from 'node:util';
import { type AgentAttributes, type GroupedFinding, groupIncidents } from '@lockstep/domain';
import { createManualClock } from '@lockstep/genesys';
import {
  connectRedis,
  createAgentStore,
  createAttributesStore,
  createIncidentStore,
  createKeys,
  createOutbox,
} from '@lockstep/store';
import { startRedis } from '@lockstep/testkit';
import { createIncidentGrouper } from '@lockstep/engine';
import { pino } from 'pino';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    findings: { type: 'string', default: '1000' },
    rules: { type: 'string', default: '1' },
    steps: { type: 'string', default: '20' },
    idle: { type: 'string', default: '20' },
  },
});
const AGENTS = Number(values.agents);
const FINDINGS = Number(values.findings);
const RULES = [
  'on-queue-without-station',
  'stuck-not-responding',
  'station-dead',
  'on-queue-not-routable',
].slice(0, Number(values.rules));
const STEPS = Number(values.steps);
const IDLE = Number(values.idle);
const MINUTE = 60_000;

const id = (i: number) => `agent-${String(i).padStart(5, '0')}`;
function attributes(i: number): AgentAttributes {
  return {
    queueIds: [`q-${i % 20}`, 'q-all'],
    managementUnitId: `mu-${i % 10}`,
    divisionId: 'div-1',
    timeZone: i % 3 === 0 ? 'America/Chicago' : 'America/New_York',
    stationType: 'inin_webrtc_softphone',
    scheduleChange24h: i < FINDINGS || i % 9 === 0 ? 'swap' : null,
    timeOff: i % 4 === 0 ? 'pending' : null,
    shiftStart: `0${6 + (i % 3)}:00`,
    interactionInProgress: i % 5 === 0,
    presenceSource: 'PURECLOUD',
  };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return `mean ${mean.toFixed(1)} ms, p50 ${q(0.5).toFixed(1)}, max ${(s[s.length - 1] ?? 0).toFixed(1)} (${s.length} passes)`;
};

const server = await startRedis();
const redis = connectRedis(server.url);
try {
  const keys = createKeys('bench:');
  const clock = createManualClock(Date.UTC(2024, 2, 8, 12, 0, 0));
  const store = createAgentStore({ redis, keys });
  const attrs = createAttributesStore({ redis, keys });
  const incidents = createIncidentStore({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'bench' });
  for (let i = 0; i < AGENTS; i += 1000) {
    await attrs.writeAgents(
      new Map(Array.from({ length: Math.min(1000, AGENTS - i) }, (_, k) => [id(i + k), attributes(i + k)])),
    );
  }
  const grouper = createIncidentGrouper({
    redis,
    keys,
    incidents,
    attributes: attrs,
    outbox,
    clock,
    logger: pino({ level: 'silent' }),
    owner: 'bench',
    settings: { minAgents: 5, windowMs: 5 * MINUTE },
    intervalMs: 5_000,
  });

  const storm: number[] = [];
  const perStep = Math.ceil(FINDINGS / STEPS);
  const grouped: GroupedFinding[] = [];
  for (let step = 0; step < STEPS; step++) {
    const from = step * perStep;
    const to = Math.min(FINDINGS, from + perStep);
    await Promise.all(
      Array.from({ length: to - from }, async (_, k) => {
        const i = from + k;
        const ruleId = RULES[i % RULES.length] as string;
        const openedAt = clock.now() + k;
        const findingId = `${id(i)}:${ruleId}:${openedAt}`;
        await store.commit({
          agentId: id(i),
          expectedVersion: 0,
          fence: 0,
          state: 's',
          machine: {},
          signals: {},
          findings: [{ id: findingId, ruleId, severity: 'critical', openedAt }],
          effects: [],
          cause: 'event',
          detail: 'bench',
          at: openedAt,
        });
        await attrs.captureFindings([{ agentId: id(i), findingId, attributes: attributes(i) }]);
        grouped.push({
          findingId,
          agentId: id(i),
          ruleId: ruleId as GroupedFinding['ruleId'],
          openedAt,
          resolvedAt: null,
          attributes: attributes(i),
        });
      }),
    );
    clock.advance(Math.floor(MINUTE / STEPS));
    const t = performance.now();
    await grouper.runOnce();
    storm.push(performance.now() - t);
  }
  const idle: number[] = [];
  for (let k = 0; k < IDLE; k++) {
    clock.advance(5_000);
    const t = performance.now();
    await grouper.runOnce();
    idle.push(performance.now() - t);
  }
  await grouper.close();

  // The pure grouping alone: 1,000 findings into incidents against the whole baseline.
  const baseline = Array.from({ length: AGENTS }, (_, i) => attributes(i));
  const cpu: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    groupIncidents({
      incidents: [],
      findings: grouped,
      baseline,
      now: clock.now(),
      settings: { minAgents: 5, windowMs: 5 * MINUTE },
    });
    cpu.push(performance.now() - t);
  }

  const open = await incidents.listIncidents({ status: 'open' });
  const sizes = await Promise.all(open.incidents.map((i) => redis.hstrlen(keys.incidents(), i.id)));
  const entries = await redis.xlen(keys.outboxStream(0));
  console.log(
    `agents ${AGENTS}, findings ${FINDINGS} over ${STEPS} batches in one minute, rules ${RULES.length}`,
  );
  console.log(`| pass | cost |`);
  console.log(`| --- | --- |`);
  console.log(`| during the storm (opens, then adds joiners) | ${stats(storm)} |`);
  console.log(`| first pass past K (opens the incident) | ${(storm[0] ?? 0).toFixed(1)} ms |`);
  console.log(`| idle (1,000 open findings, nothing new) | ${stats(idle)} |`);
  console.log(`| groupIncidents alone (CPU, 1,000 findings, full baseline) | ${stats(cpu)} |`);
  console.log(
    `open incidents ${open.incidents.length}, stored sizes ${sizes.map((s) => `${(s / 1024).toFixed(0)} KiB`).join(', ')}, outbox entries ${entries}`,
  );
} finally {
  await redis.quit();
  await server.stop();
}
