/**
 * Calm day end to end: twenty agents follow their published schedules (breaks and meals staggered, some in the
 * first minutes of 09:09) with lags of up to a minute, inside every rule's grace. The engine loads the schedules from the
 * synchronous search answer and evaluates them at every boundary, and opens no finding at all.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, createKeys, createReads, type Reads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'calm:';
const QUEUES = ['4750048b-1994-41d4-8410-a5760c49a6cd'];
const RUN_MS = 180_000;

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let reads: Reads;
let runtime: EngineRuntime;

beforeAll(async () => {
  // calm-day, started nine minutes later (09:09): the first staggered breaks begin about a minute in.
  const calm = JSON.parse(
    readFileSync(new URL('../../genesys-sim/scenarios/calm-day.json', import.meta.url), 'utf8'),
  ) as { start: { local: string } };
  calm.start.local = '2024-03-05T09:09';
  const scenario = join(mkdtempSync(join(tmpdir(), 'lockstep-calm-')), 'calm-day.json');
  writeFileSync(scenario, JSON.stringify(calm));
  [sim, server] = await Promise.all([startSim({ scenario }), startRedis()]);
  redis = connectRedis(server.url);
  reads = createReads({ redis, keys: createKeys(PREFIX) });
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: QUEUES.map((q) => `queue:${q}`).join(','),
    LOCKSTEP_KEY_PREFIX: PREFIX,
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
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
  plannedSchedule?: { value: { segments: Array<{ category: string; start: number; end: number }> } };
}

it(
  'agents following their schedules with short deviations open zero findings',
  async () => {
    const agents = [...runtime.engine.agents()];
    expect(agents.length).toBeGreaterThan(5);
    const segmentsOf = async (id: string) =>
      ((await reads.readAgent(id))?.signals as Signals | undefined)?.plannedSchedule?.value.segments;
    await pollUntil(
      async () => (await Promise.all(agents.map(segmentsOf))).every((s) => (s?.length ?? 0) > 0),
      {
        timeoutMs: 30_000,
        what: 'every schedule loaded',
      },
    );
    const started = Date.now();
    // Some agent has a boundary (a break or meal starting or ending) inside the observed period.
    const boundaries = (await Promise.all(agents.map(segmentsOf)))
      .flatMap((s) => s ?? [])
      .filter((s) => s.category !== 'OnQueueWork')
      .flatMap((s) => [s.start, s.end])
      .filter((t) => t > started && t < started + RUN_MS - 60_000);
    expect(boundaries.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    while (Date.now() - started < RUN_MS) {
      for (const f of await reads.listOpenFindings()) seen.add(`${f.agentId} ${f.finding.ruleId}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect([...seen]).toEqual([]);
  },
  RUN_MS + 90_000,
);
