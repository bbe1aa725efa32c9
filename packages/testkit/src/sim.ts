import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAndWait } from './redis.js';

/** Repository root, resolved from this file (works from src/ and from dist/). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface SimProcess {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly port: number;
  readonly controlToken: string;
  /** Process id of the simulator (for resource measurements). */
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Calls the control API (`/__sim/...`) with the control token; throws on a non-2xx answer. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Stops the process. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSimOptions {
  scenario: string;
  seed?: number;
  speed?: number;
  controlToken?: string;
  /** Further CLI flags, e.g. `['--heartbeat-ms', '500']`. */
  args?: string[];
  env?: Record<string, string>;
  /** Milliseconds to wait for the `listening on` line. */
  startTimeoutMs?: number;
}

/** Starts the Genesys simulator as a child process on a free loopback port, over real sockets. */
export async function startSim(opts: StartSimOptions): Promise<SimProcess> {
  const controlToken = opts.controlToken ?? 'sim-control';
  const args = [
    '--conditions=@lockstep/source',
    '--import',
    'tsx',
    'services/genesys-sim/src/main.ts',
    '--port',
    '0',
    '--scenario',
    opts.scenario,
    '--control-token',
    controlToken,
  ];
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  if (opts.speed !== undefined) args.push('--speed', String(opts.speed));
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`simulator did not start in time:\n${out}`)),
      opts.startTimeoutMs ?? 30_000,
    );
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with code ${code}:\n${out}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    controlToken,
    pid: child.pid ?? -1,
    output: () => out,
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${controlToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    stop() {
      stopped ??= killAndWait(child);
      return stopped;
    },
  };
}
