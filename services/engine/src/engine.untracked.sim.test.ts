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
/** On a queue of its own, for the restart case. */
const OTHER_QUEUE = 'ut-other';
const RESTARTED_AWAY = 'ut-restarted-away';

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
      queues: [
        { id: QUEUE, name: 'Main', callsPerMinute: 0 },
        { id: OTHER_QUEUE, name: 'Other', callsPerMinute: 0 },
      ],
      agents: [
        ...[LEAVING, STAYING].map((id) => ({
          id,
          name: id,
          queues: [QUEUE],
          presence: 'On Queue',
          station: 'associated',
        })),
        {
          id: RESTARTED_AWAY,
          name: RESTARTED_AWAY,
          queues: [OTHER_QUEUE],
          presence: 'On Queue',
          station: 'associated',
        },
      ],
    }),
  );
  writeFileSync(
    policy,
    JSON.stringify({ rules: { 'on-queue-without-station': { graceMs: 500, action: 'alert' } } }),
  );
  policyFile = policy;
  [sim, server] = await Promise.all([startSim({ scenario }), startRedis()]);
  redis = connectRedis(server.url);
  runtime = await startEngine(`queue:${QUEUE}`, PREFIX);
}, 60_000);

let policyFile: string;

function startEngine(agents: string, prefix: string): Promise<EngineRuntime> {
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: agents,
    LOCKSTEP_KEY_PREFIX: prefix,
    LOCKSTEP_POLICY_FILE: policyFile,
    LOCKSTEP_INSTANCE_ID: `untracked-${prefix}`,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
  });
  return startEngineRuntime(config, pino({ level: 'silent' }));
}

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

it('resolves, at start, the open findings of an agent that left the selection while the engine was stopped', async () => {
  const prefix = 'untracked-restart:';
  const reads = createReads({ redis, keys: createKeys(prefix) });
  const open = async () =>
    (await reads.listOpenFindings({ ruleId: 'on-queue-without-station' })).map((f) => f.agentId);
  const first = await startEngine(`queue:${OTHER_QUEUE}`, prefix);
  try {
    await first.engine.idle();
    await sim.control('POST', '/__sim/actions', { type: 'disassociate-station', agentId: RESTARTED_AWAY });
    await pollUntil(async () => (await open()).includes(RESTARTED_AWAY), {
      timeoutMs: 10_000,
      what: `an open finding on ${RESTARTED_AWAY}`,
    });
  } finally {
    await first.close();
  }
  // Restarted with a selection that no longer holds the agent.
  const second = await startEngine(`user:${STAYING}`, prefix);
  try {
    await pollUntil(async () => !(await open()).includes(RESTARTED_AWAY), {
      timeoutMs: 10_000,
      what: `the finding of ${RESTARTED_AWAY} to resolve after the restart`,
    });
    expect(second.engine.agents().has(RESTARTED_AWAY)).toBe(false);
    expect((await reads.readAgent(RESTARTED_AWAY))?.findings).toEqual([]);
  } finally {
    await second.close();
  }
});
