import { type DestinationStream, type Logger, pino } from 'pino';

/** Paths pino blanks out wherever they appear: signing secrets, signatures, credentials. */
export const REDACT_PATHS: readonly string[] = [
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'headers["webhook-signature"]',
  '*.headers["webhook-signature"]',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'redisUrls',
  '*.redisUrls',
];

/** Error serializer that keeps the message and code but never ioredis command arguments (they can hold a password). */
function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** The process's root logger: JSON lines, secrets redacted. `destination` lets tests read the lines. */
export function createNotifierLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'lockstep-notifier' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
