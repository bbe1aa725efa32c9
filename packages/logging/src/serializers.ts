import { stdSerializers } from 'pino';
import { scrubUrlCredentials } from './redact.js';

/** Error properties that hold other errors (ioredis, AggregateError): serialised the same way. */
const NESTED_ERRORS = ['aggregateErrors', 'previousErrors', 'lastNodeError'] as const;

function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value)
  );
}

/**
 * pino's error serializer minus what can carry a secret: the arguments of a failed Redis command (an ioredis
 * `ReplyError` for AUTH holds the password in `command.args`), any `args` field, and credentials embedded in a
 * URL in the message or stack. The command's name is kept. Returns a plain object; other values pass unchanged.
 */
export function serializeError(value: unknown): unknown {
  if (!isErrorLike(value)) return value;
  const base = stdSerializers.err(value) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    const v = base[key];
    if (key === 'raw' || key === 'args') continue;
    if (key === 'command') {
      const name = (v as { name?: unknown } | null)?.name;
      if (typeof name === 'string') out.command = { name };
      continue;
    }
    out[key] = typeof v === 'string' ? scrubUrlCredentials(v) : v;
  }
  for (const key of NESTED_ERRORS) {
    const raw = (value as unknown as Record<string, unknown>)[key];
    if (Array.isArray(raw)) out[key] = raw.map(serializeError);
    else if (isErrorLike(raw)) out[key] = serializeError(raw);
  }
  return out;
}

/** The serializers of every lockstep logger: errors under `err`, `error` and `cause`. */
export const SERIALIZERS = Object.freeze({
  err: serializeError,
  error: serializeError,
  cause: serializeError,
});
