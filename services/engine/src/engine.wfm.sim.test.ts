import { Writable } from 'node:stream';
import { connectRedis, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createRootLogger } from './logger.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

// calm-day's Support queue, and its OAuth client without WFM permissions.
const SUPPORT = '4750048b-1994-41d4-8410-a5760c49a6cd';
const PREFIX = 'nowfm:';

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let runtime: EngineRuntime;
const lines: Array<{ level: number; msg: string }> = [];

const waitFor = (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) =>
  pollUntil(check, { timeoutMs, what });

beforeAll(async () => {
  [sim, server] = await Promise.all([startSim({ scenario: 'calm-day' }), startRedis()]);
  redis = connectRedis([server.url]);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-no-wfm',
    GENESYS_CLIENT_SECRET: 'no-wfm-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: `queue:${SUPPORT}`,
    LOCKSTEP_KEY_PREFIX: PREFIX,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
  });
  runtime = await startEngineRuntime(config, createRootLogger('info', sink));
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  redis?.disconnect();
  await Promise.all([sim?.stop(), server?.stop()]);
});

it('without WFM permissions it switches WFM off for every agent with one warning and keeps the other signals', async () => {
  const reads = createReads({ redis, keys: createKeys(PREFIX) });
  const agents = [...runtime.engine.agents()];
  expect(agents.length).toBeGreaterThan(0);
  const wfmOf = async (id: string) =>
    ((await reads.readAgent(id))?.machine as { context?: { wfm?: string } } | null)?.context?.wfm;
  await waitFor(
    async () => (await Promise.all(agents.map(wfmOf))).every((w) => w === 'disabled'),
    15_000,
    'WFM disabled on every agent',
  );
  const agentId = agents[0] as string;
  await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Meeting' });
  await waitFor(
    async () =>
      ((await reads.readAgent(agentId))?.signals as { presence?: { value: { system: string } } })?.presence
        ?.value.system === 'MEETING',
    10_000,
    'presence still flowing',
  );
  // Schedules are off: no agent got a published schedule.
  const planned = await Promise.all(
    agents.map(
      async (id) => ((await reads.readAgent(id))?.signals as { plannedSchedule?: unknown })?.plannedSchedule,
    ),
  );
  expect(planned.filter((p) => p !== undefined)).toEqual([]);
  const wfmWarnings = lines.filter((l) => l.level === 40 && /wfm/i.test(l.msg));
  expect(wfmWarnings.map((l) => l.msg)).toHaveLength(1);
  expect(runtime.engine.health().ok).toBe(true);
});
