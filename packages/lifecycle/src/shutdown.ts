import type { Logger } from 'pino';

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Past this, the process logs `shutdown did not finish in time: exiting` and exits 1. */
  readonly timeoutMs: number;
  /** Closes what the process holds (stops taking work, hands back or finishes what it holds). A rejection is logged. */
  readonly close: () => Promise<void>;
  /** Default SIGINT and SIGTERM. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Installs the process's shutdown: on the first of `signals` it logs `shutting down`, runs `close`, flushes the
 * log and exits with `process.exitCode` (0 unless something set it). Whatever hangs (a peer that never answers),
 * the process exits 1 after `timeoutMs`, so a supervisor never waits on a process that does nothing. Later
 * signals are ignored.
 */
export function exitOnSignal(options: ShutdownOptions): void {
  const { logger, timeoutMs } = options;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
      logger.flush();
      process.exit(1);
    }, timeoutMs).unref();
    options
      .close()
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => {
        logger.flush();
        process.exit(process.exitCode ?? 0);
      });
  };
  for (const signal of options.signals ?? ['SIGINT', 'SIGTERM']) process.once(signal, stop);
}
