import { Writable } from 'node:stream';
import {
  type AgentStore,
  createAgentStore,
  createEngineStatusStore,
  createKeys,
  type FindingDoc,
  type Keys,
} from '@lockstep/store';
import type { RedisServer } from '@lockstep/testkit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { build } from '../app.js';
import { loadConfig } from '../config.js';
import { createRootLogger } from '../logger.js';

export const BOOTSTRAP = 'bootstrap-admin-key-for-tests-0123456789';

let n = 0;

/** An app on its own key prefix of a shared real Redis, with the log lines captured. */
export interface Fixture {
  readonly app: FastifyInstance;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly store: AgentStore;
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startFixture(
  server: RedisServer,
  env: Record<string, string> = {},
  prefix = `api${process.pid}-${++n}:`,
): Promise<Fixture> {
  const redis = new Redis(server.url, { enableAutoPipelining: true });
  const config = loadConfig({
    REDIS_URL: server.url,
    LOCKSTEP_KEY_PREFIX: prefix,
    LOCKSTEP_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP,
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = await build({ config, redis, logger: createRootLogger('info', sink) });
  const keys = createKeys(prefix);
  return {
    app,
    redis,
    keys,
    store: createAgentStore({ redis, keys }),
    logs,
    async close() {
      await app.close();
      await redis.quit();
    },
  };
}

/** Commits one agent as the engine would: presence, routing, and the given open findings. */
export async function seedAgent(
  store: AgentStore,
  agentId: string,
  opts: {
    presence?: string;
    routing?: string;
    findings?: FindingDoc[];
    declared?: unknown;
    at?: number;
    version?: number;
    tags?: string[];
  } = {},
): Promise<void> {
  const at = opts.at ?? 1_700_000_000_000;
  await store.commit({
    agentId,
    expectedVersion: opts.version ?? 0,
    fence: 0,
    state: `${opts.presence ?? 'AVAILABLE'}/inSync`,
    machine: {
      value: 'tracking',
      context: {
        status: 'available',
        health: opts.findings?.length ? 'desync' : 'inSync',
        declared: opts.declared ?? null,
        corrections: [],
      },
    },
    signals: {
      presence: { value: { system: opts.presence ?? 'AVAILABLE', definitionId: null }, at, source: 'event' },
      routing: { value: opts.routing ?? 'OFF_QUEUE', at, source: 'event' },
    },
    findings: opts.findings ?? [],
    effects: [],
    cause: 'event',
    detail: 'presence',
    at,
    ...(opts.tags ? { tags: opts.tags } : {}),
  });
}

export function finding(agentId: string, ruleId: string, openedAt: number): FindingDoc {
  return {
    id: `${agentId}:${ruleId}:${openedAt}`,
    ruleId,
    severity: 'warning',
    openedAt,
    since: openedAt - 1000,
    summary: `${ruleId} on ${agentId}`,
    evidence: [{ signal: 'presence', value: 'ON_QUEUE' }],
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** What a running engine leaves in Redis for shard 0: its lease (the heartbeat) and a status with its channels up. */
export async function liveEngine(f: Pick<Fixture, 'redis' | 'keys'>, ttlMs = 600_000): Promise<void> {
  await f.redis.set(f.keys.lease('engine:shard:0'), 'engine', 'PX', ttlMs);
  await createEngineStatusStore({ redis: f.redis, keys: f.keys }).publish(
    { instance: 'engine', shard: 0, ready: true, agents: 1, channels: { connected: 1, total: 1 }, at: 0 },
    ttlMs,
  );
}
