/**
 * The notifier process: reads the configuration, starts the notifier, and shuts down on SIGINT/SIGTERM
 * (stops reading, gives attempts in flight half of `LOCKSTEP_SHUTDOWN_TIMEOUT_MS` to finish and leaves the rest
 * pending, releases the intake lease). Exit codes: 0 after a clean shutdown, 1 for a configuration or startup
 * failure or a shutdown that outlasts `LOCKSTEP_SHUTDOWN_TIMEOUT_MS`.
 */
import { exitOnSignal } from '@lockstep/lifecycle';
import { loadNotifierConfig, type NotifierConfig } from './config.js';
import { NotifierConfigError } from './errors.js';
import { createNotifierLogger } from './logger.js';
import { type NotifierRuntime, startNotifier } from './notifier.js';

async function main(): Promise<void> {
  let config: NotifierConfig;
  try {
    config = loadNotifierConfig();
  } catch (err) {
    if (err instanceof NotifierConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  const logger = createNotifierLogger(config.logLevel);
  let runtime: NotifierRuntime;
  try {
    runtime = await startNotifier(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'notifier failed to start');
    logger.flush();
    process.exit(1);
  }
  exitOnSignal({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => runtime.close() });
}

main().catch((err: unknown) => {
  process.stderr.write(`notifier crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
