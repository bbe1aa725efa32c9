import { hostname } from 'node:os';
import { applyRedisPassword, decimalInt, parseRedisUrls, resolveSecretFiles } from '@lockstep/config';
import { parseCidrs, parseTrustedHosts } from '@lockstep/webhooks';
import { z } from 'zod';
import { parseDuration, parseDurationList } from './durations.js';
import { NotifierConfigError } from './errors.js';

/**
 * The notifier's configuration: the ONLY module of the notifier that reads `process.env`. Parsed once,
 * validated as a whole (every problem in one `NotifierConfigError`), then frozen.
 */
export interface NotifierConfig {
  /** One URL, or several for Redis Cluster. May carry a password: never log it. */
  readonly redisUrls: readonly string[];
  readonly keyPrefix: string;
  /** Must equal the engine's outbox shard count. */
  readonly outboxShards: number;
  /** Where a NEW consumer group starts: `new` entries only (default), or `all` still in the stream. */
  readonly outboxStart: 'new' | 'all';
  /** Consumer name in the outbox group and lock owner; stable across restarts (the host name by default). */
  readonly instanceId: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly metricsHost: string;
  /** 0 picks a free port (tests). */
  readonly metricsPort: number;
  /** Base of the admin API links in alert payloads. */
  readonly apiBaseUrl: string;
  readonly allowHttp: boolean;
  readonly allowedCidrs: readonly string[];
  /** Lower-case host names exempt from the https rule and the address ranges (`WEBHOOK_TRUSTED_HOSTS`). */
  readonly trustedHosts: readonly string[];
  /** Delay before each attempt (the first is 0: immediately). Its length is the number of attempts. */
  readonly retrySchedule: readonly number[];
  /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  readonly retryJitter: number;
  readonly timeoutMs: number;
  /** A subscription whose attempts all failed for this long is disabled. */
  readonly disableAfterMs: number;
  /** Alerts per subscription per minute before storm control holds the rest back; 0: no cap. */
  readonly maxPerMinute: number;
  readonly logMaxLen: number;
  /** Attempts in flight per process. */
  readonly concurrency: number;
  readonly pollMs: number;
  /** How long an agent's directory entry (name, queues, division, MU) read from Redis is reused; 0: never. */
  readonly directoryTtlMs: number;
  /** Outbox entries another consumer left unacknowledged this long are taken over (XAUTOCLAIM). */
  readonly claimIdleMs: number;
  /**
   * A shutdown (SIGTERM) ends within this long: attempts in flight get half of it to finish, the rest are
   * abandoned unrecorded (their lane locks expire and they are retried); past it the process exits with code 1.
   */
  readonly shutdownTimeoutMs: number;
}

const int = decimalInt;

const envSchema = z.object({
  REDIS_URL: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  REDIS_PASSWORD: z.string().optional(),
  LOCKSTEP_KEY_PREFIX: z
    .string()
    .regex(/^[^{}\s]*$/, 'must not contain braces or whitespace')
    .default('lockstep:'),
  LOCKSTEP_OUTBOX_SHARDS: int(1, 1024).default(1),
  NOTIFIER_OUTBOX_START: z.enum(['new', 'all']).default('new'),
  LOCKSTEP_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be 1-100 letters, digits, '.', '_', ':' or '-'")
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  METRICS_PORT: int(0, 65_535).default(9465),
  LOCKSTEP_API_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('http://127.0.0.1:8088'),
  WEBHOOK_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
  WEBHOOK_ALLOWED_CIDRS: z.string().default(''),
  WEBHOOK_TRUSTED_HOSTS: z.string().default(''),
  WEBHOOK_RETRY_SCHEDULE: z.string().default('0s,5s,5m,30m,2h,5h,10h,10h'),
  WEBHOOK_RETRY_JITTER: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a decimal number between 0 and 1')
    .transform(Number)
    .default(0.2),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(15_000),
  WEBHOOK_DISABLE_AFTER: z.string().default('5d'),
  WEBHOOK_MAX_PER_MINUTE: int(0, 1_000_000).default(600),
  WEBHOOK_LOG_MAX_LEN: int(10, 100_000).default(1_000),
  NOTIFIER_CONCURRENCY: int(1, 10_000).default(64),
  NOTIFIER_POLL_MS: int(10, 60_000).default(200),
  NOTIFIER_DIRECTORY_TTL_MS: int(0, 600_000).default(5_000),
  NOTIFIER_CLAIM_IDLE_MS: int(100, 3_600_000).default(60_000),
  LOCKSTEP_SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(10_000),
});

type Env = Readonly<Record<string, string | undefined>>;

/** Settings that may instead be read from a file named by `<NAME>_FILE` (Docker secrets). */
export const NOTIFIER_SECRET_VARIABLES: readonly string[] = Object.freeze(['REDIS_URL', 'REDIS_PASSWORD']);

/** Every environment variable the notifier reads: its schema's keys and the `*_FILE` variants of its secrets. */
export const NOTIFIER_ENV_VARIABLES: readonly string[] = Object.freeze([
  ...Object.keys(envSchema.shape),
  ...NOTIFIER_SECRET_VARIABLES.map((name) => `${name}_FILE`),
]);

/** The non-empty items of a comma-separated setting, trimmed. */
const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Whether `<name>_FILE` was given: its own problems, if any, are already reported. */
const fromFile = (env: Env, name: string) => (env[`${name}_FILE`]?.trim() ?? '') !== '';

/**
 * Reads the notifier configuration from `env` (default `process.env`). Returns a frozen object, or throws
 * `NotifierConfigError` listing EVERY problem. Problem texts never contain Redis credentials.
 */
export function loadNotifierConfig(input: Env = process.env): NotifierConfig {
  const secrets = resolveSecretFiles(input, NOTIFIER_SECRET_VARIABLES);
  const problems: string[] = [...secrets.problems];
  const env = secrets.env;
  // Empty strings count as unset, as in a compose file with `VAR=`.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      // A secret whose file could not be read is reported once, by its `_FILE` variable.
      if (NOTIFIER_SECRET_VARIABLES.includes(name) && fromFile(input, name) && env[name] === undefined)
        continue;
      problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
    }
  }
  const withPassword = applyRedisPassword(
    typeof env.REDIS_URL === 'string' ? parseRedisUrls(env.REDIS_URL, problems) : [],
    env.REDIS_PASSWORD?.trim() || undefined,
  );
  problems.push(...withPassword.problems);
  const redisUrls = [...withPassword.urls];
  const schedule = parseDurationList(env.WEBHOOK_RETRY_SCHEDULE?.trim() || '0s,5s,5m,30m,2h,5h,10h,10h');
  for (const p of schedule.problems) problems.push(`WEBHOOK_RETRY_SCHEDULE: ${p}`);
  if (schedule.problems.length === 0 && schedule.values[0] !== 0) {
    problems.push('WEBHOOK_RETRY_SCHEDULE: the first entry must be 0s (the first attempt is immediate)');
  }
  if (schedule.values.length > 50) problems.push('WEBHOOK_RETRY_SCHEDULE: at most 50 attempts');
  const cidrs = parseCidrs(listOf(env.WEBHOOK_ALLOWED_CIDRS));
  for (const p of cidrs.problems) problems.push(`WEBHOOK_ALLOWED_CIDRS: ${p}`);
  const trusted = parseTrustedHosts(listOf(env.WEBHOOK_TRUSTED_HOSTS));
  for (const p of trusted.problems) problems.push(`WEBHOOK_TRUSTED_HOSTS: ${p}`);
  const disableAfterMs = parseDuration(env.WEBHOOK_DISABLE_AFTER?.trim() || '5d');
  if (disableAfterMs === null || disableAfterMs < 1_000) {
    problems.push('WEBHOOK_DISABLE_AFTER: must be a duration of at least 1s, such as 5d or 36h');
  }
  if (parsed.success && parsed.data.NOTIFIER_CLAIM_IDLE_MS <= parsed.data.WEBHOOK_TIMEOUT_MS) {
    problems.push('NOTIFIER_CLAIM_IDLE_MS: must be greater than WEBHOOK_TIMEOUT_MS');
  }
  if (!parsed.success || problems.length > 0 || disableAfterMs === null)
    throw new NotifierConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    redisUrls: Object.freeze(redisUrls),
    keyPrefix: e.LOCKSTEP_KEY_PREFIX,
    outboxShards: e.LOCKSTEP_OUTBOX_SHARDS,
    outboxStart: e.NOTIFIER_OUTBOX_START,
    instanceId:
      e.LOCKSTEP_INSTANCE_ID ??
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 100),
    logLevel: e.LOG_LEVEL,
    metricsHost: e.METRICS_HOST,
    metricsPort: e.METRICS_PORT,
    apiBaseUrl: e.LOCKSTEP_API_BASE_URL,
    allowHttp: e.WEBHOOK_ALLOW_HTTP === 'true',
    allowedCidrs: Object.freeze(cidrs.cidrs),
    trustedHosts: Object.freeze(trusted.hosts),
    retrySchedule: Object.freeze(schedule.values),
    retryJitter: e.WEBHOOK_RETRY_JITTER,
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    disableAfterMs,
    maxPerMinute: e.WEBHOOK_MAX_PER_MINUTE,
    logMaxLen: e.WEBHOOK_LOG_MAX_LEN,
    concurrency: e.NOTIFIER_CONCURRENCY,
    pollMs: e.NOTIFIER_POLL_MS,
    directoryTtlMs: e.NOTIFIER_DIRECTORY_TTL_MS,
    claimIdleMs: e.NOTIFIER_CLAIM_IDLE_MS,
    shutdownTimeoutMs: e.LOCKSTEP_SHUTDOWN_TIMEOUT_MS,
  });
}

/**
 * The webhook receiver's secret when `--secret` is not given: `WEBHOOK_RECEIVER_SECRET`, or the file
 * `WEBHOOK_RECEIVER_SECRET_FILE` names (a Docker secret). `problems` never contain the secret.
 */
export function loadReceiverSecret(input: Env = process.env): {
  readonly secret: string | undefined;
  readonly problems: readonly string[];
} {
  const { env, problems } = resolveSecretFiles(input, ['WEBHOOK_RECEIVER_SECRET']);
  const secret = env.WEBHOOK_RECEIVER_SECRET?.trim();
  return { secret: secret === '' ? undefined : secret, problems };
}
