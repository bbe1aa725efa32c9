/**
 * The engine process: reads the configuration, starts the runtime, and closes everything on SIGINT/SIGTERM.
 * Exit codes: 0 after a clean shutdown, 1 for a configuration or startup failure.
 */
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { createRootLogger } from './logger.js';
import { startEngineRuntime } from './runtime.js';

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
  let runtime: Awaited<ReturnType<typeof startEngineRuntime>>;
  try {
    runtime = await startEngineRuntime(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'engine failed to start');
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runtime
      .close()
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => {
        logger.flush();
        process.exit(process.exitCode ?? 0);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
