import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { REDACT_PATHS } from './redact.js';
import { SERIALIZERS } from './serializers.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface RootLoggerOptions {
  /** `service` field of every line, e.g. `lockstep-engine`. */
  readonly service: string;
  readonly level: LogLevel | string;
  /** Defaults to stdout; tests pass a stream to inspect the lines. */
  readonly destination?: DestinationStream;
}

/** The options every lockstep logger uses: ISO times, secret paths redacted, errors without credentials. */
export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { ...SERIALIZERS },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/**
 * A process's root logger: JSON lines, secrets redacted, errors serialised without Redis command arguments or
 * URL credentials. Components take `logger.child({ component })`.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  const opts = loggerOptions(options.service, options.level);
  return options.destination === undefined ? pino(opts) : pino(opts, options.destination);
}
