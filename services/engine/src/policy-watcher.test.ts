import { type AgentEvent, createAgentMachine, parsePolicy, type Policy } from '@lockstep/domain';
import { systemClock } from '@lockstep/genesys';
import {
  connectRedis,
  createAgentStore,
  createKeys,
  createOutbox,
  createPolicyOverrides,
  createReads,
  type RedisClient,
} from '@lockstep/store';
import { pollUntil, type RedisServer, startRedis } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { createPipeline } from './pipeline/pipeline.js';
import { createPolicyWatcher } from './policy-watcher.js';

let server: RedisServer;
let redis: RedisClient;
let seq = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const T0 = Date.now() - 60_000;
const onQueueNotRoutable = (): AgentEvent[] => [
  {
    type: 'SIGNAL',
    update: {
      signal: 'presence',
      value: { system: 'ON_QUEUE', definitionId: null },
      at: T0,
      source: 'event',
    },
  },
  { type: 'SIGNAL', update: { signal: 'routing', value: 'OFF_QUEUE', at: T0 + 10, source: 'event' } },
];

function setup() {
  const keys = createKeys(`pw${++seq}:`);
  const base = parsePolicy({ rules: { 'on-queue-not-routable': { graceMs: 0, action: 'alert' } } });
  const pipeline = createPipeline({
    machine: createAgentMachine(base),
    policy: base,
    store: createAgentStore({ redis, keys }),
    reads: createReads({ redis, keys }),
    outbox: createOutbox({ redis, keys, group: 'test' }),
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    clock: systemClock,
    fence: () => 1,
    onFenceRejected: () => {},
    batchWindowMs: 1,
  });
  const seen: Policy[] = [];
  const watcher = createPolicyWatcher({
    overrides: createPolicyOverrides({ redis, keys }),
    base,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    intervalMs: 50,
    onChange: (policy) => {
      seen.push(policy);
      pipeline.setPolicy(policy);
    },
  });
  return {
    keys,
    pipeline,
    watcher,
    seen,
    reads: createReads({ redis, keys }),
    overrides: createPolicyOverrides({ redis, keys }),
  };
}

async function findingsOf(t: ReturnType<typeof setup>, agentId: string) {
  for (const e of onQueueNotRoutable()) t.pipeline.submit(agentId, e, 'event');
  await t.pipeline.flush();
  return (await t.reads.readAgent(agentId))?.findings ?? [];
}

describe('policy watcher', () => {
  it('a rule override written at run time changes what a running pipeline does, without a restart', async () => {
    const t = setup();
    await t.watcher.start();
    expect(t.seen).toEqual([]);
    const before = await findingsOf(t, 'a-1');
    expect(before.map((f) => [f.ruleId, f.severity])).toEqual([['on-queue-not-routable', 'warning']]);

    await t.overrides.write('on-queue-not-routable', { severity: 'critical' });
    await pollUntil(() => t.seen.length === 1, { timeoutMs: 5_000, what: 'the severity override' });
    expect((await findingsOf(t, 'a-2')).map((f) => f.severity)).toEqual(['critical']);

    await t.overrides.write('on-queue-not-routable', { severity: 'critical', enabled: false });
    await pollUntil(() => t.seen.length === 2, { timeoutMs: 5_000, what: 'the disabling override' });
    expect(await findingsOf(t, 'a-3')).toEqual([]);
    t.watcher.close();
    await t.pipeline.close();
  });

  it('an override the policy schema refuses leaves the rule as it was', async () => {
    const t = setup();
    await t.overrides.write('on-queue-not-routable', { graceMs: -5 });
    await t.watcher.start();
    expect(t.seen).toHaveLength(1);
    expect(t.seen[0]?.rules['on-queue-not-routable']).toMatchObject({ graceMs: 0, severity: 'warning' });
    t.watcher.close();
    await t.pipeline.close();
  });
});
