import { type DestinationStream, type Logger, pino } from 'pino';

/** Paths pino blanks out wherever they appear in a log object: tokens, secrets, credentials. */
export const REDACT_PATHS: readonly string[] = [
  'clientSecret',
  '*.clientSecret',
  'genesys.clientSecret',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'redisUrl',
  '*.redisUrl',
  'redisUrls',
  '*.redisUrls',
];

/**
 * The process's root logger: JSON lines, secrets redacted. Components take `logger.child({ component })`.
 * `destination` defaults to stdout (tests pass a stream to inspect the lines).
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'lockstep-engine' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
