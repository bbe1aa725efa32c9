import { type DestinationStream, type Logger, pino } from 'pino';

/** Paths pino blanks out wherever they appear: credentials, API keys, secrets. */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'bootstrapAdminKey',
  '*.bootstrapAdminKey',
  'redisUrls',
  '*.redisUrls',
];

/**
 * Serialises errors without the command a Redis client attaches to its errors: an AUTH failure carries the
 * password in `command.args`.
 */
function errSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  delete out.command;
  delete out.args;
  return out;
}

/** The process's root logger: JSON lines, secrets redacted. `destination` defaults to stdout. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'lockstep-admin-api' },
    serializers: { err: errSerializer },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
