import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, killAndWait, pollUntil, repoRoot } from '@lockstep/testkit';

/** `GET /healthz` of an engine process. */
export interface EngineHealthView {
  readonly ok: boolean;
  readonly started: boolean;
  readonly leader: boolean;
  readonly agents: number;
}

/** One engine as a real child process (`services/engine/src/main.ts`), so it can be paused and killed. */
export interface EngineProcess {
  readonly pid: number;
  readonly metricsPort: number;
  /** Everything it printed (JSON log lines on stdout, anything on stderr). */
  output(): string;
  /** `GET /healthz`, or `null` while it does not answer. */
  health(): Promise<EngineHealthView | null>;
  /** Sends a signal (SIGSTOP, SIGCONT, SIGKILL ...). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited. */
  exited(): Promise<void>;
  /** Kills it (SIGKILL after SIGTERM) and waits. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts an engine process with `env` on top of the inherited environment and waits until `/healthz` says
 * it started (leader or standby).
 */
export async function startEngineProcess(
  env: Readonly<Record<string, string>>,
  options: { readonly metricsPort?: number; readonly startTimeoutMs?: number } = {},
): Promise<EngineProcess> {
  const metricsPort = options.metricsPort ?? (await freePort());
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@lockstep/source', '--import', 'tsx', 'services/engine/src/main.ts'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        ...env,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedYet = false;
  void exit.then(() => (exitedYet = true));
  const pid = child.pid ?? -1;

  const health = async (): Promise<EngineHealthView | null> => {
    try {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`, {
        signal: AbortSignal.timeout(1_000),
      });
      return (await res.json()) as EngineHealthView;
    } catch {
      return null;
    }
  };
  const engine: EngineProcess = {
    pid,
    metricsPort,
    output: () => out,
    health,
    signal: (signal) => {
      if (!exitedYet) child.kill(signal);
    },
    exited: () => exit,
    async stop() {
      if (exitedYet) return;
      child.kill('SIGCONT');
      await killAndWait(child);
    },
  };
  try {
    await pollUntil(async () => (exitedYet ? true : (await health())?.started === true), {
      timeoutMs: options.startTimeoutMs ?? 30_000,
      what: 'the engine process to start',
      explain: () => Promise.resolve(out.slice(-3_000)),
    });
    if (exitedYet) throw new Error(`the engine process exited at start:\n${out.slice(-3_000)}`);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  return engine;
}
