import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'untracked:';
const QUEUE = 'ut-main';
const LEAVING = 'ut-leaving';
const STAYING = 'ut-staying';

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let runtime: EngineRuntime;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-untracked-'));
  const scenario = join(dir, 'world.json');
  const policy = join(dir, 'policy.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      name: 'untracked',
      seed: 3,
      start: { local: '2024-03-05T09:00', zone: 'Europe/London' },
      queues: [{ id: QUEUE, name: 'Main', callsPerMinute: 0 }],
      agents: [LEAVING, STAYING].map((id) => ({
        id,
        name: id,
        queues: [QUEUE],
        presence: 'On Queue',
        station: 'associated',
      })),
    }),
  );
  writeFileSync(
    policy,
    JSON.stringify({ rules: { 'on-queue-without-station': { graceMs: 500, action: 'alert' } } }),
  );
  [sim, server] = await Promise.all([startSim({ scenario }), startRedis()]);
  redis = connectRedis(server.url);
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

it('resolves the open findings of an agent that leaves the selection, with the resolution untracked', async () => {
  const keys = createKeys(PREFIX);
  const reads = createReads({ redis, keys });
  const openAgents = async () =>
    (await reads.listOpenFindings({ ruleId: 'on-queue-without-station' })).map((f) => f.agentId).sort();
  await runtime.engine.idle();
  await sim.control('POST', '/__sim/actions', { type: 'disassociate-station', agentId: LEAVING });
  await sim.control('POST', '/__sim/actions', { type: 'disassociate-station', agentId: STAYING });
  await pollUntil(async () => (await openAgents()).length === 2, {
    timeoutMs: 10_000,
    what: 'both agents to have an open on-queue-without-station finding',
  });

  await sim.control('POST', '/__sim/actions', {
    type: 'remove-from-queue',
    agentId: LEAVING,
    queueId: QUEUE,
  });
  await pollUntil(async () => (await openAgents()).join() === STAYING, {
    timeoutMs: 10_000,
    what: `the finding of ${LEAVING} to resolve once it left the queue`,
  });
  expect(runtime.engine.agents().has(LEAVING)).toBe(false);
  const record = await reads.readAgent(LEAVING);
  expect(record?.findings).toEqual([]);

  const entries = await redis.xrange(keys.outboxStream(keys.outboxShardOf(LEAVING)), '-', '+');
  const resolved = entries
    .map(([, fields]) => fields[fields.indexOf('body') + 1] ?? '')
    .filter((body) => body.includes('"finding.resolved"') && body.includes(LEAVING));
  expect(resolved).toHaveLength(1);
  expect(JSON.parse(resolved[0] as string)).toMatchObject({
    type: 'finding.resolved',
    finding: { agentId: LEAVING, ruleId: 'on-queue-without-station', resolution: 'untracked' },
  });
});
