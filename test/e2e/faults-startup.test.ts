/**
 * Start-up faults, with the engine as a real process: a fatal start-up problem ends the process with exit code 1
 * within a bound (a supervisor must never see a live process that does nothing), says what is wrong in one
 * structured line, and no secret (the Redis password, the Genesys client secret) appears in any line it prints,
 * even at `trace` level.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type RedisServer,
  repoRoot,
  type SimProcess,
  startRedis,
  startSim,
} from '@lockstep/testkit';

const REDIS_PASSWORD = 'redis-pw-7f3a9c';
const WRONG_PASSWORD = 'wrong-pw-52e1b8';
const CLIENT_SECRET = 'lockstep-demo-secret';
const WRONG_SECRET = 'wrong-secret-c41d07';
/** The bound within which a fatal start-up problem must end the process (start-up of node and tsx included). */
const EXIT_BOUND_MS = 15_000;

interface EngineRun {
  /** Exit code, or null when the engine was still running at the bound (and then killed). */
  readonly code: number | null;
  readonly elapsedMs: number;
  /** Every line printed on stdout and stderr. */
  readonly lines: readonly string[];
}

let sim: SimProcess;
let redis: RedisServer;

beforeAll(async () => {
  [sim, redis] = await Promise.all([
    startSim({ scenario: 'calm-day' }),
    startRedis({ extraArgs: ['--requirepass', REDIS_PASSWORD] }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([sim?.stop(), redis?.stop()]);
});

function redisUrl(password: string, port = redis.port): string {
  return `redis://:${password}@127.0.0.1:${port}`;
}

function engineEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: CLIENT_SECRET,
    REDIS_URL: redisUrl(REDIS_PASSWORD),
    LOCKSTEP_AGENTS: 'queue:4750048b-1994-41d4-8410-a5760c49a6cd',
    LOCKSTEP_KEY_PREFIX: `startup-${Date.now()}:`,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    LOG_LEVEL: 'trace',
    ...overrides,
  };
}

/**
 * Runs the engine process until it exits, `until` matches a line (then SIGTERM, and waits for the exit), or
 * `boundMs` passes (then SIGKILL: `code` is null).
 */
function runEngine(
  env: Record<string, string>,
  options: { boundMs?: number; until?: RegExp } = {},
): Promise<EngineRun> {
  const boundMs = options.boundMs ?? EXIT_BOUND_MS;
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--conditions=@lockstep/source', '--import', 'tsx', 'services/engine/src/main.ts'],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  let signalled = false;
  const onData = (b: Buffer) => {
    text += b.toString();
    if (!signalled && options.until?.test(text)) {
      signalled = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        elapsedMs: Date.now() - started,
        lines: text.split('\n').filter((l) => l.trim() !== ''),
      });
    });
  });
}

/** The structured line logged at `fatal` (pino level 60), parsed. */
function fatalLine(run: EngineRun): { err: { code?: string; message: string } } {
  const line = run.lines.find((l) => l.includes('"level":60'));
  expect(line, run.lines.join('\n')).toEqual(expect.any(String));
  return JSON.parse(line ?? '{}') as { err: { code?: string; message: string } };
}

function linesWith(run: EngineRun, text: string): string[] {
  return run.lines.filter((l) => l.includes(text));
}

describe('engine start-up faults (real processes)', () => {
  it('a wrong Redis password: exits 1 at once, says so, and the password is in no log line', async () => {
    const run = await runEngine(engineEnv({ REDIS_URL: redisUrl(WRONG_PASSWORD) }));
    expect(run.code, run.lines.join('\n')).toBe(1);
    expect(run.elapsedMs).toBeLessThan(EXIT_BOUND_MS);
    expect(linesWith(run, WRONG_PASSWORD)).toEqual([]);
    expect(linesWith(run, 'Unhandled error event')).toEqual([]);
    const fatal = fatalLine(run);
    expect(fatal.err.code).toBe('ENGINE_STARTUP_FAILED');
    expect(fatal.err.message).toContain('refused our credentials');
  });

  it('Redis unreachable: exits 1 at once, and never claims another engine holds the shard', async () => {
    const closedPort = await freePort();
    const run = await runEngine(engineEnv({ REDIS_URL: redisUrl(REDIS_PASSWORD, closedPort) }));
    expect(run.code, run.lines.join('\n')).toBe(1);
    expect(run.elapsedMs).toBeLessThan(EXIT_BOUND_MS);
    expect(linesWith(run, 'standing by')).toEqual([]);
    expect(linesWith(run, REDIS_PASSWORD)).toEqual([]);
    expect(linesWith(run, 'Unhandled error event')).toEqual([]);
    expect(fatalLine(run).err.message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });

  it('a Redis that accepts connections but never answers: exits 1 once the start-up timeout has passed', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const run = await runEngine(
        engineEnv({ REDIS_URL: redisUrl(REDIS_PASSWORD, port), LOCKSTEP_STARTUP_TIMEOUT_MS: '2000' }),
      );
      expect(run.code, run.lines.join('\n')).toBe(1);
      expect(run.elapsedMs).toBeLessThan(EXIT_BOUND_MS);
      expect(fatalLine(run).err.message).toMatch(/within 2000 ms/);
      expect(linesWith(run, REDIS_PASSWORD)).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a rejected Genesys login: exits 1 at once, and the client secret is in no log line', async () => {
    const run = await runEngine(engineEnv({ GENESYS_CLIENT_SECRET: WRONG_SECRET }));
    expect(run.code, run.lines.join('\n')).toBe(1);
    expect(run.elapsedMs).toBeLessThan(EXIT_BOUND_MS);
    expect(linesWith(run, WRONG_SECRET)).toEqual([]);
    expect(linesWith(run, REDIS_PASSWORD)).toEqual([]);
    expect(fatalLine(run).err.message).toContain('401');
  });

  it('a good start and a clean stop at trace level: neither the Redis password nor the client secret is logged', async () => {
    const run = await runEngine(engineEnv({}), { boundMs: 30_000, until: /"msg":"engine started"/ });
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(linesWith(run, 'engine started')).toHaveLength(1);
    expect(linesWith(run, REDIS_PASSWORD)).toEqual([]);
    expect(linesWith(run, CLIENT_SECRET)).toEqual([]);
  }, 40_000);
});
