import { fileURLToPath } from 'node:url';
import { connectRedis, createKeys, createReads, type Reads, type RedisClient } from '@lockstep/store';
import {
  type RedisServer,
  type SimProcess,
  type StartRedisOptions,
  startRedis,
  startSim,
} from '@lockstep/testkit';
import { pino } from 'pino';
// The engine has no package entry point yet: its runtime and configuration are imported from their files.
import { type EngineRuntime, loadConfig, runCli, startEngineRuntime } from '@lockstep/engine';
import { type AgentTruth, type AgentView, describeViews, engineView, truthView } from './views.js';

/** Absolute path of a file in `test/fixtures`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export interface StackOptions {
  /** Scenario name or path (see {@link fixture}). */
  readonly scenario: string;
  /** Further simulator flags, e.g. `['--heartbeat-ms', '500']`. */
  readonly simArgs?: readonly string[];
  /** How redis-server runs, e.g. `{ appendOnly: true }` to kill and restart it from its AOF. */
  readonly redis?: StartRedisOptions;
  /** Engine environment on top of the defaults below (simulator target, Redis, selector, key prefix, ports). */
  readonly engineEnv: Readonly<Record<string, string>>;
}

/** Exit code and output of one CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One simulator, one redis-server and one in-process engine, plus the reads the suites assert with. */
export interface Stack {
  readonly sim: SimProcess;
  readonly redisServer: RedisServer;
  readonly redis: RedisClient;
  readonly reads: Reads;
  readonly runtime: EngineRuntime;
  /** The simulator's ground truth, by agent id. */
  truth(): Promise<Map<string, AgentTruth>>;
  /** Performs a world action (`POST /__sim/actions`). */
  act(action: Record<string, unknown>): Promise<void>;
  /** Engine view vs ground truth for these agents, as a table (for failure messages). */
  explain(agentIds: readonly string[]): Promise<string>;
  /** Runs the `lockstep` CLI (in this process) against the engine's Redis. */
  cli(args: readonly string[]): Promise<CliResult>;
  /** The last warnings and errors the engine logged. */
  engineLog(): string;
  /** Closes the engine, Redis client, simulator and redis-server. Idempotent; every step runs. */
  close(): Promise<void>;
}

const KEY_PREFIX = 'e2e:';
const LOG_LINES = 40;

/**
 * Starts a simulator (child process) and a redis-server, then the engine in this process against both. The
 * engine logs at `warn` into a ring buffer that failure messages quote; nothing is printed.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const [sim, redisServer] = await Promise.all([
    startSim({ scenario: options.scenario, args: [...(options.simArgs ?? [])] }),
    startRedis(options.redis),
  ]);
  const redis = connectRedis(redisServer.url);
  const reads = createReads({ redis, keys: createKeys(KEY_PREFIX) });
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        lines.push(line.trimEnd());
        if (lines.length > LOG_LINES) lines.shift();
      },
    },
  );
  let runtime: EngineRuntime | undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const steps: Array<() => Promise<unknown> | undefined> = [
        () => runtime?.close(),
        () => redis.quit(),
        () => sim.stop(),
        () => redisServer.stop(),
      ];
      const failures: unknown[] = [];
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          failures.push(err);
        }
      }
      if (failures.length > 0) throw new AggregateError(failures, 'closing the stack failed');
    })();
    return closing;
  };
  try {
    const config = loadConfig({
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
      REDIS_URL: redisServer.url,
      LOCKSTEP_KEY_PREFIX: KEY_PREFIX,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOCKSTEP_INSTANCE_ID: 'e2e-engine',
      ...options.engineEnv,
    });
    runtime = await startEngineRuntime(config, logger);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const engine = runtime;

  async function truth(): Promise<Map<string, AgentTruth>> {
    const all = await sim.control<AgentTruth[]>('GET', '/__sim/agents');
    return new Map(all.map((a) => [a.id, a]));
  }

  return {
    sim,
    redisServer,
    redis,
    reads,
    runtime: engine,
    truth,
    async act(action) {
      await sim.control('POST', '/__sim/actions', action);
    },
    async explain(agentIds) {
      const world = await truth();
      const rows: Array<{ agentId: string; engine: AgentView | null; truth: AgentView }> = [];
      for (const agentId of agentIds) {
        const t = world.get(agentId);
        if (t === undefined) continue;
        rows.push({ agentId, engine: await engineView(reads, agentId), truth: truthView(t) });
      }
      return `${describeViews(rows)}\nengine log (warn and above, newest last):\n${lines.join('\n') || '(empty)'}`;
    },
    async cli(args) {
      let stdout = '';
      let stderr = '';
      const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
      const code = await runCli(args, { REDIS_URL: redisServer.url, LOCKSTEP_KEY_PREFIX: KEY_PREFIX }, io);
      return { code, stdout, stderr };
    },
    engineLog: () => lines.join('\n'),
    close,
  };
}
