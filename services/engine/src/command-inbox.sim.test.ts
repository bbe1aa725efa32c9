/**
 * Declared states with a leader and a standby engine on one shard: only the lease holder reads the command
 * stream, acknowledges a command once it is committed, and claims what a dead consumer left pending.
 */
import { fileURLToPath } from 'node:url';
import { connectRedis, createCommandQueue, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'inboxtest:';
const WORLD = fileURLToPath(new URL('../../../test/fixtures/faults-world.json', import.meta.url));
const AGENTS = Array.from({ length: 10 }, (_, i) => `fault-agent-${String(i + 1).padStart(2, '0')}`);

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
const runtimes: EngineRuntime[] = [];

const start = (instanceId: string) =>
  startEngineRuntime(
    loadConfig({
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
      REDIS_URL: server.url,
      LOCKSTEP_AGENTS: 'division:e2e-faults-division',
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_INSTANCE_ID: instanceId,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    }),
    pino({ level: 'silent' }),
  );

const declaration = (i: number) => ({
  agentId: AGENTS[i % AGENTS.length] as string,
  type: 'declare',
  body: { presence: 'ON_QUEUE', by: `ops-${i}`, at: Date.now(), ttlMs: 600_000 },
});

beforeAll(async () => {
  [sim, server] = await Promise.all([startSim({ scenario: WORLD }), startRedis()]);
  redis = connectRedis(server.url);
  // An engine that read three commands and died before committing them, before these engines started.
  const queue = createCommandQueue({ redis, keys: createKeys(PREFIX) });
  await queue.ensureGroup('engine-shard-0');
  for (let i = 20; i < 23; i++) await queue.send(declaration(i));
  expect(await queue.read('engine-shard-0', 'engine-gone', 10, 0)).toHaveLength(3);
  runtimes.push(await start('engine-leader'));
  runtimes.push(await start('engine-standby'));
}, 60_000);

afterAll(async () => {
  for (const runtime of runtimes) await runtime.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

describe('declared states with a leader and a standby engine', () => {
  it('every DECLARE lands, those a dead consumer left pending included', async () => {
    const [leader, standby] = runtimes;
    expect(leader?.engine.health()).toMatchObject({ leader: true, agents: AGENTS.length });
    expect(standby?.engine.health()).toMatchObject({ leader: false, agents: AGENTS.length });
    const keys = createKeys(PREFIX);
    const queue = createCommandQueue({ redis, keys });
    const reads = createReads({ redis, keys });
    const declare = (i: number) => queue.send(declaration(i));
    expect((await redis.call('XPENDING', keys.commandsStream(), 'engine-shard-0')) as unknown[]).toEqual([
      3,
      expect.any(String),
      expect.any(String),
      [['engine-gone', '3']],
    ]);
    for (let i = 0; i < 20; i++) await declare(i);

    const landed = async () => {
      const seen = new Set<string>();
      for (const agentId of AGENTS) {
        for (const entry of await reads.readHistory(agentId, { count: 200 })) {
          for (const m of entry.detail.matchAll(/declare\((ops-\d+)\)/g)) seen.add(m[1] as string);
        }
      }
      return seen;
    };
    await pollUntil(async () => (await landed()).size === 20, {
      timeoutMs: 10_000,
      what: 'all 20 declarations in the agents’ histories',
      explain: async () => `landed: ${[...(await landed())].sort().join(', ')}`,
    });
    // The dead consumer's three are claimed once idle (they are older than the start resync, so the machines
    // find them stale: applied and acknowledged, without a new history entry). Nothing stays pending.
    const pending = async () =>
      ((await redis.call('XPENDING', keys.commandsStream(), 'engine-shard-0')) as unknown[])[0];
    await pollUntil(async () => (await pending()) === 0, {
      timeoutMs: 10_000,
      what: 'no command pending',
    });
    const applied = async (runtime: EngineRuntime | undefined) =>
      (await runtime?.engine.metrics.registry.getSingleMetricAsString('lockstep_commands_total')) ?? '';
    expect(await applied(leader)).toMatch(/lockstep_commands_total\{type="declare",outcome="applied"\} 23$/m);
    expect(await applied(standby)).not.toMatch(/outcome="applied"/);
    const consumers = (await redis.call(
      'XINFO',
      'CONSUMERS',
      keys.commandsStream(),
      'engine-shard-0',
    )) as unknown[][];
    expect(consumers.map((c) => c[1])).toEqual(['engine-leader']);
  });
});
