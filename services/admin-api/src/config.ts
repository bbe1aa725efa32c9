import { decimalInt, parseRedisUrls, resolveSecretFiles } from '@lockstep/config';
import { parseCidrs, parseTrustedHosts, type SsrfPolicy } from '@lockstep/webhooks';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * The admin API's configuration: the ONLY module of the service that reads `process.env`. Parsed once at
 * startup, validated as a whole (every problem reported in one `ConfigError`), then frozen.
 */
export interface AdminApiConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** One URL, or several for Redis Cluster. May carry a password: never log it. */
  readonly redisUrls: readonly string[];
  readonly keyPrefix: string;
  /** An admin key accepted even before any key exists in Redis; `null` when unset. Never log it. */
  readonly bootstrapAdminKey: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Requests per API key (or per client address before authentication) per `rateLimitWindowMs`. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** Engine shards whose heartbeat (the shard lease) `/readyz` checks. */
  readonly engineShards: number;
  /** The SSRF policy webhook URLs are checked with at creation; the same as the notifier's. */
  readonly webhookSsrf: SsrfPolicy;
  /**
   * On SIGTERM the API stops listening, lets requests in flight finish and closes Redis within this long; past
   * it the process exits with code 1.
   */
  readonly shutdownTimeoutMs: number;
}

const decimal = decimalInt;

const envSchema = z.object({
  ADMIN_API_HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  ADMIN_API_PORT: decimal(0, 65_535).default(8088),
  ADMIN_API_RATE_LIMIT_MAX: decimal(1, 1_000_000).default(1_200),
  ADMIN_API_RATE_LIMIT_WINDOW_MS: decimal(100, 3_600_000).default(60_000),
  LOCKSTEP_ENGINE_SHARDS: decimal(1, 1_024).default(1),
  LOCKSTEP_SHUTDOWN_TIMEOUT_MS: decimal(1_000, 600_000).default(10_000),
  LOCKSTEP_BOOTSTRAP_ADMIN_KEY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || v.length >= 24, 'must be at least 24 characters'),
  REDIS_URL: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  LOCKSTEP_KEY_PREFIX: z
    .string()
    .regex(/^[^{}\s]*$/, 'must not contain braces or whitespace')
    .default('lockstep:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_ALLOW_HTTP: z
    .enum(['true', 'false', ''], { error: 'must be true or false' })
    .optional()
    .transform((v) => v === 'true'),
  WEBHOOK_ALLOWED_CIDRS: z.string().optional(),
  WEBHOOK_TRUSTED_HOSTS: z.string().optional(),
});

type Env = Readonly<Record<string, string | undefined>>;

/** The non-empty items of a comma-separated setting, trimmed. */
const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/**
 * Reads the admin API configuration from `env` (default `process.env`). Returns a frozen object, or throws
 * `ConfigError` whose `problems` list EVERY problem (`VARIABLE: message`). Problem texts never contain the
 * bootstrap key or Redis credentials.
 */
export function loadConfig(env: Env = process.env): AdminApiConfig {
  // Secrets may come from files (Docker secrets): `LOCKSTEP_BOOTSTRAP_ADMIN_KEY_FILE`, `REDIS_URL_FILE`.
  const secrets = resolveSecretFiles(env, ['LOCKSTEP_BOOTSTRAP_ADMIN_KEY', 'REDIS_URL']);
  const problems: string[] = [...secrets.problems];
  env = secrets.env;
  // Only the variables of this service: zod never sees (nor echoes) anything else from the environment.
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k]])),
  );
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // Messages are fixed texts of the schema above; values are never part of them.
      problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
    }
  }
  const redisUrls = typeof env.REDIS_URL === 'string' ? parseRedisUrls(env.REDIS_URL, problems) : [];
  const cidrs = parseCidrs(listOf(env.WEBHOOK_ALLOWED_CIDRS));
  for (const p of cidrs.problems) problems.push(`WEBHOOK_ALLOWED_CIDRS: ${p}`);
  const trusted = parseTrustedHosts(listOf(env.WEBHOOK_TRUSTED_HOSTS));
  for (const p of trusted.problems) problems.push(`WEBHOOK_TRUSTED_HOSTS: ${p}`);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    host: e.ADMIN_API_HOST,
    port: e.ADMIN_API_PORT,
    redisUrls: Object.freeze(redisUrls),
    keyPrefix: e.LOCKSTEP_KEY_PREFIX,
    bootstrapAdminKey: e.LOCKSTEP_BOOTSTRAP_ADMIN_KEY ?? null,
    logLevel: e.LOG_LEVEL,
    rateLimitMax: e.ADMIN_API_RATE_LIMIT_MAX,
    rateLimitWindowMs: e.ADMIN_API_RATE_LIMIT_WINDOW_MS,
    engineShards: e.LOCKSTEP_ENGINE_SHARDS,
    shutdownTimeoutMs: e.LOCKSTEP_SHUTDOWN_TIMEOUT_MS,
    webhookSsrf: Object.freeze({
      allowHttp: e.WEBHOOK_ALLOW_HTTP,
      allowedCidrs: Object.freeze(cidrs.cidrs),
      trustedHosts: Object.freeze(trusted.hosts),
    }),
  });
}

/** A loggable summary: no bootstrap key, no Redis credentials. Pure. */
export function describeConfig(config: AdminApiConfig): Record<string, unknown> {
  return {
    host: config.host,
    port: config.port,
    redis: config.redisUrls.map((u) => {
      const url = new URL(u);
      return `${url.protocol}//${url.host}`;
    }),
    keyPrefix: config.keyPrefix,
    bootstrapAdminKey: config.bootstrapAdminKey === null ? 'unset' : 'set',
    rateLimitMax: config.rateLimitMax,
    rateLimitWindowMs: config.rateLimitWindowMs,
    engineShards: config.engineShards,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    webhookAllowHttp: config.webhookSsrf.allowHttp,
    webhookAllowedCidrs: config.webhookSsrf.allowedCidrs,
    webhookTrustedHosts: config.webhookSsrf.trustedHosts ?? [],
  };
}
