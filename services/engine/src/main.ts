/**
 * The engine process: reads the configuration, starts the runtime, and closes everything on SIGINT/SIGTERM.
 * Exit codes: 0 after a clean shutdown, 1 for a configuration or start-up failure or a shutdown that outlasts
 * `LOCKSTEP_SHUTDOWN_TIMEOUT_MS`. A start-up failure (Redis unreachable or refusing the password, a rejected
 * Genesys login, a start-up that outlasts `LOCKSTEP_STARTUP_TIMEOUT_MS`) always ends the process: a supervisor
 * never sees a live process that does nothing.
 */
import { exitOnSignal } from '@lockstep/lifecycle';
import { loadConfig } from './config.js';
import { ConfigError, StartupError } from './errors.js';
import { createRootLogger } from './logger.js';
import { startEngineRuntime } from './runtime.js';

type Runtime = Awaited<ReturnType<typeof startEngineRuntime>>;

/** Resolves with the runtime, or rejects with a `StartupError` once `timeoutMs` has passed. */
function startWithin(start: Promise<Runtime>, timeoutMs: number): Promise<Runtime> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StartupError(`start-up did not finish within ${timeoutMs} ms (LOCKSTEP_STARTUP_TIMEOUT_MS)`),
        ),
      timeoutMs,
    );
  });
  return Promise.race([start, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  const logger = createRootLogger(config.logLevel);
  const starting = startWithin(startEngineRuntime(config, logger), config.startupTimeoutMs);
  // Installed before the start finishes: a signal during start-up closes what was started once it is up.
  exitOnSignal({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    close: () => starting.then((runtime) => runtime.close()),
  });
  try {
    await starting;
  } catch (err) {
    logger.fatal({ err }, 'engine failed to start');
    logger.flush();
    // Whatever the failed start left behind (a reconnecting client, a timer) must not keep the process alive.
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`engine crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
