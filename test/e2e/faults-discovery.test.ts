/**
 * An engine started during a Genesys outage: every REST call answers 503 for 10 s from before the engine starts,
 * and agents change state meanwhile. The engine reports not ready (`/healthz` 503, `ready: false`) while its
 * selector cannot be read, retries it with backoff, and once the outage is over its view in Redis (presence,
 * routing status, station) equals the simulator's ground truth for every selected agent within 10 s.
 */
import { connectRedis, createKeys, createReads, type Reads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EngineRuntime, loadConfig, startEngineRuntime } from '@lockstep/engine';
import { fixture } from '../support/stack.js';
import { type AgentTruth, engineView, sameView, truthView } from '../support/views.js';

const AGENTS = Array.from({ length: 10 }, (_, i) => `fault-agent-${String(i + 1).padStart(2, '0')}`);
const KEY_PREFIX = 'e2e-discovery:';
const BURST_MS = 10_000;
/** The bound of the suite: agreement within this long after the outage is over. */
const CONVERGE_MS = 10_000;

let sim: SimProcess;
let redisServer: RedisServer;
let redis: RedisClient;
let reads: Reads;
let runtime: EngineRuntime | undefined;
const lines: string[] = [];

beforeAll(async () => {
  [sim, redisServer] = await Promise.all([
    startSim({ scenario: fixture('faults-world.json'), args: ['--heartbeat-ms', '300'] }),
    startRedis(),
  ]);
  redis = connectRedis(redisServer.url);
  reads = createReads({ redis, keys: createKeys(KEY_PREFIX) });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), redisServer?.stop()]);
});

async function truth(): Promise<Map<string, AgentTruth>> {
  const all = await sim.control<AgentTruth[]>('GET', '/__sim/agents');
  return new Map(all.map((a) => [a.id, a]));
}

async function healthz(port: number): Promise<{ status: number; body: { ready?: boolean } }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as { ready?: boolean } };
}

async function failingItems(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^lockstep_selector_items_failing (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

it('an engine started during a 5xx burst converges to the ground truth within 10 s of the burst ending', async () => {
  await sim.control('POST', '/__sim/faults', {
    kind: 'server-errors',
    status: 503,
    probability: 1,
    durationMs: BURST_MS,
  });
  const burstEnds = Date.now() + BURST_MS;
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: redisServer.url,
    LOCKSTEP_KEY_PREFIX: KEY_PREFIX,
    LOCKSTEP_AGENTS: 'division:e2e-faults-division',
    LOCKSTEP_INSTANCE_ID: 'e2e-discovery-engine',
    LOCKSTEP_PING_INTERVAL_MS: '250',
    LOCKSTEP_WATCHDOG_TIMEOUT_MS: '1500',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
  });
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line.trimEnd()) });
  runtime = await startEngineRuntime(config, logger);
  const engine = runtime.engine;
  const port = runtime.metricsServer.port();

  // Started inside the burst: nothing could be read, and the engine says so.
  expect(Date.now()).toBeLessThan(burstEnds);
  expect(engine.agents().size).toBe(0);
  expect(engine.health()).toMatchObject({ ok: false, started: true, ready: false });
  expect(await healthz(port)).toMatchObject({ status: 503, body: { ready: false } });
  expect(await failingItems(port)).toBe(1);
  // Agents change state during the outage: the engine must read them afresh once it is over.
  for (const [i, agentId] of AGENTS.entries()) {
    await sim.control('POST', '/__sim/actions', {
      type: 'set-presence',
      agentId,
      presence: i % 2 === 0 ? 'Break' : 'Available',
    });
  }

  const convergedAt = await pollUntil(
    async () => {
      if (Date.now() < burstEnds) return false;
      const tracked = [...engine.agents()].sort();
      if (tracked.join() !== AGENTS.join()) return false;
      const world = await truth();
      for (const agentId of tracked) {
        const t = world.get(agentId);
        if (t === undefined || !sameView(await engineView(reads, agentId), truthView(t))) return false;
      }
      return Date.now();
    },
    {
      timeoutMs: BURST_MS + CONVERGE_MS + 5_000,
      intervalMs: 100,
      what: 'the engine view to equal the ground truth for every agent after the outage',
      explain: async () =>
        `tracked: ${[...engine.agents()].sort().join(', ') || 'none'}\nengine log:\n${lines.slice(-20).join('\n')}`,
    },
  );
  expect(convergedAt - burstEnds).toBeLessThanOrEqual(CONVERGE_MS);
  expect(engine.health()).toMatchObject({ ok: true, ready: true });
  expect(await healthz(port)).toMatchObject({ status: 200, body: { ready: true } });
  expect(await failingItems(port)).toBe(0);
}, 60_000);
