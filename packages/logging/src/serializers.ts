import { stdSerializers } from 'pino';
import { SECRET_KEYS, scrubUrlCredentials } from './redact.js';

/** Secret field names, compared case-insensitively (`Authorization` as well as `authorization`). */
const SECRETS = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
/** How deep plain objects inside an error are cleaned; deeper values are replaced by a marker. */
const MAX_DEPTH = 5;

function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value)
  );
}

/** Cleans a value found inside an error: strings lose URL credentials, secret keys are redacted. */
function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubUrlCredentials(value);
  if (typeof value !== 'object' || value === null) return value;
  if (isErrorLike(value)) return serializeError(value, depth + 1);
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'args') continue;
    out[key] = SECRETS.has(key.toLowerCase()) ? '[redacted]' : clean(v, depth + 1);
  }
  return out;
}

/**
 * pino's error serializer minus what can carry a secret: the arguments of a failed Redis command (an ioredis
 * `ReplyError` for AUTH holds the password in `command.args`; the command's name is kept), any `args` field,
 * fields named like a secret, and credentials embedded in a URL anywhere in the error (message and stack
 * included). Errors an error carries (`previousErrors`, `lastNodeError`, aggregate errors) are serialised the same
 * way. Returns a plain object; values that are not errors pass unchanged.
 */
export function serializeError(value: unknown, depth = 0): unknown {
  if (!isErrorLike(value)) return value;
  if (depth >= MAX_DEPTH) return { type: 'Error', message: '[too deep]' };
  const base = stdSerializers.err(value) as unknown as Record<string, unknown>;
  const raw = value as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    if (key === 'raw' || key === 'args') continue;
    if (key === 'command') {
      const name = (base.command as { name?: unknown } | null)?.name;
      if (typeof name === 'string') out.command = { name };
      continue;
    }
    if (key === 'aggregateErrors') {
      out.aggregateErrors = Array.isArray(raw.errors)
        ? raw.errors.map((e) => serializeError(e, depth + 1))
        : [];
      continue;
    }
    if (SECRETS.has(key.toLowerCase())) {
      out[key] = '[redacted]';
      continue;
    }
    // Nested errors are taken from the original (pino's serializer would keep their command arguments).
    const original = raw[key];
    const nested = isErrorLike(original) || (Array.isArray(original) && original.some(isErrorLike));
    out[key] = clean(nested ? original : base[key], depth);
  }
  return out;
}

/** The serializers of every lockstep logger: errors under `err`, `error` and `cause`. */
export const SERIALIZERS = Object.freeze({
  err: (value: unknown) => serializeError(value),
  error: (value: unknown) => serializeError(value),
  cause: (value: unknown) => serializeError(value),
});
