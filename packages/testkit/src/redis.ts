import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Kills the server with SIGKILL (no shutdown, no final save), as a crash would. Its dir is kept. */
  kill(): Promise<void>;
  /**
   * Starts the server again on the same port and dir, after `kill()` (with `appendonly`, from its AOF). Fails when
   * the server still runs.
   */
  restart(): Promise<void>;
  /** Stops the server and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  readonly extraArgs?: string[];
  /** Persist every write to an append-only file (`appendfsync always`), so a restart after `kill()` loses nothing. */
  readonly appendOnly?: boolean;
}

/**
 * Starts a real `redis-server` on a free loopback port with its own temp dir, with no persistence unless
 * `appendOnly`. The caller owns the returned server and must stop it.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-redis-'));
  const args = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(opts.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...(opts.extraArgs ?? []),
  ];
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      let child = await spawnRedis(port, args(port));
      let stopped: Promise<void> | undefined;
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        kill: () => killAndWait(child, 'SIGKILL'),
        async restart() {
          if (child.exitCode === null && child.signalCode === null) {
            throw new Error('redis-server still runs: kill() it before restart()');
          }
          child = await spawnRedis(port, args(port));
        },
        stop() {
          stopped ??= (async () => {
            await killAndWait(child);
            await rm(dir, { recursive: true, force: true });
          })();
          return stopped;
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** Spawns redis-server and resolves once it answers PING (killing it when it does not). */
async function spawnRedis(port: number, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new Error(`redis-server could not start (${err.message}); run scripts/bootstrap.sh`)),
    );
  });
  try {
    await Promise.race([waitForPing(port, child, () => output), spawnFailed]);
    return child;
  } catch (err) {
    await killAndWait(child);
    throw err;
  }
}

async function waitForPing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited early: ${output().trim()}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not answer PING on port ${port}: ${output().trim()}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (b) => {
      sock.destroy();
      // A server started with `--requirepass` answers NOAUTH: it is up all the same.
      const answer = b.toString();
      resolve(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

export function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
