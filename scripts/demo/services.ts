/**
 * The demo's process supervisor: each service is a real child process whose stdout and stderr go to its own log
 * file, started in order and stopped in reverse order. `stopAll` is idempotent and always ends every child it
 * started (SIGTERM, then SIGKILL after a bound), so the demo leaves no stray process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAndWait, repoRoot } from '@lockstep/testkit';

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The log so far (stdout and stderr interleaved). */
  log(): string;
  /** Whether the process still runs. */
  alive(): boolean;
}

export interface Supervisor {
  readonly logDir: string;
  /** Starts `node <args>` from the repository root with the workspace sources (as `npm run <service>` does). */
  startNode(name: string, args: readonly string[], env: Readonly<Record<string, string>>): Service;
  readonly services: readonly Service[];
  /** Called once when a service exits before `stopAll`. */
  onUnexpectedExit(handler: (service: Service, code: number | null) => void): void;
  /** Stops every service, newest first. Idempotent. */
  stopAll(): Promise<void>;
  /** Last resort for `process.on('exit')`: SIGKILL whatever still runs (synchronous). */
  killAllNow(): void;
}

const NODE_FLAGS = ['--conditions=@lockstep/source', '--import', 'tsx'];

export function createSupervisor(logDir: string): Supervisor {
  const services: Service[] = [];
  let stopping: Promise<void> | undefined;
  let unexpected: ((service: Service, code: number | null) => void) | undefined;
  return {
    logDir,
    services,
    startNode(name, args, env) {
      const logFile = join(logDir, `${name}.log`);
      const fd = openSync(logFile, 'a');
      const child = spawn(process.execPath, [...NODE_FLAGS, ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      const service: Service = {
        name,
        child,
        logFile,
        log: () => {
          try {
            return readFileSync(logFile, 'utf8');
          } catch {
            return '';
          }
        },
        alive: () => child.exitCode === null && child.signalCode === null,
      };
      child.once('exit', (code) => {
        if (stopping === undefined) unexpected?.(service, code);
      });
      services.push(service);
      return service;
    },
    onUnexpectedExit(handler) {
      unexpected = handler;
    },
    stopAll() {
      stopping ??= (async () => {
        for (const service of [...services].reverse()) await killAndWait(service.child);
      })();
      return stopping;
    },
    killAllNow() {
      for (const service of services) if (service.alive()) service.child.kill('SIGKILL');
    },
  };
}

/** Polls `probe` every 100 ms until it answers a value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a line of the service's log matching `pattern`; fails early when the service exits. */
export function waitForLog(service: Service, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return waitFor(
    `${service.name}: ${pattern.source}`,
    () => {
      const match = pattern.exec(service.log());
      if (match) return match;
      if (!service.alive()) {
        throw new Error(`${service.name} exited before it was ready; see ${service.logFile}`);
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** GETs `url` and answers the text when the status is 2xx, otherwise `undefined` (also on connection errors). */
export async function httpText(
  url: string,
  headers: Record<string, string> = {},
): Promise<string | undefined> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
    const text = await res.text();
    return res.ok ? text : undefined;
  } catch {
    return undefined;
  }
}
