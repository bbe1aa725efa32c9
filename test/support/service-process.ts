import { type ChildProcess, spawn } from 'node:child_process';
import { killAndWait, repoRoot } from '@lockstep/testkit';

/** How a service process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `Date.now()` when the exit was seen. */
  readonly at: number;
}

/** A lockstep entry point (`services/<name>/src/main.ts` ...) running as a real child process. */
export interface ServiceProcess {
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  signal(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited. */
  exited(): Promise<ProcessExit>;
  /** Kills it (SIGKILL after SIGTERM) if still running, and waits. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `script` (a path from the repository root) from its TypeScript source, with `env` on top of the
 * inherited environment. Returns at once: callers wait for readiness their own way.
 */
export function startServiceProcess(
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): ServiceProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@lockstep/source', '--import', 'tsx', script, ...args],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  let done: ProcessExit | null = null;
  const exit = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => {
      done = { code, signal, at: Date.now() };
      resolve(done);
    }),
  );
  return {
    pid: child.pid ?? -1,
    output: () => out,
    signal: (signal) => {
      if (done === null) child.kill(signal);
    },
    exited: () => exit,
    async stop() {
      if (done !== null) return;
      await killAndWait(child);
    },
  };
}
