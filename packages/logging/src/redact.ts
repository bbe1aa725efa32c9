/**
 * The field names that carry a secret anywhere in lockstep: OAuth tokens and client secrets, Redis passwords and
 * URLs (which may embed a password), webhook signing secrets, API keys, HTTP credentials headers.
 */
export const SECRET_KEYS: readonly string[] = Object.freeze([
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'password',
  'redisUrl',
  'redisUrls',
  'secret',
  'secrets',
  'webhookSecret',
  'webhook-signature',
  'signingSecret',
  'apiKey',
  'api_key',
  'apiKeys',
  'authorization',
  'cookie',
  'x-api-key',
]);

/** pino `redact` path for a key, quoted when it is not an identifier. */
function path(prefix: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${prefix}${key}` : `${prefix.replace(/\.$/, '')}["${key}"]`;
}

/**
 * Paths pino blanks out: every secret key at the top level of a log object and one or two levels down
 * (`{ config: { genesys: { clientSecret } } }`, `{ req: { headers: { authorization } } }`).
 */
export const REDACT_PATHS: readonly string[] = Object.freeze(
  SECRET_KEYS.flatMap((key) => [path('', key), path('*.', key), path('*.*.', key)]),
);

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;

/** Replaces the user-info part of every URL in `text` (`redis://:pw@host` becomes `redis://[redacted]@host`). Pure. */
export function scrubUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1[redacted]@');
}
