import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { applyRedisPassword, decimalInt, parseRedisUrls, resolveSecretFiles } from '@lockstep/config';
import { type Policy, PolicyError, parsePolicy } from '@lockstep/domain';
import { type GenesysTarget, resolveRegion } from '@lockstep/genesys';
import { z } from 'zod';
import { ConfigError, SelectorError } from './errors.js';
import { type AgentSelector, parseSelector, parseShard, type Shard } from './selector.js';

/**
 * The engine's configuration: the ONLY module of the engine that reads `process.env`. Parsed once at startup,
 * validated as a whole (every problem reported in one `ConfigError`), then frozen.
 */
export interface EngineConfig {
  readonly genesys: {
    readonly target: GenesysTarget;
    readonly clientId: string;
    /** Never log it: `describeConfig` leaves it out. */
    readonly clientSecret: string;
  };
  /** One URL, or several for Redis Cluster. May carry a password: never log it. */
  readonly redisUrls: readonly string[];
  readonly keyPrefix: string;
  readonly selector: AgentSelector;
  readonly shard: Shard;
  readonly policy: Policy;
  readonly policyFile: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly metricsHost: string;
  /** 0 picks a free port (tests). */
  readonly metricsPort: number;
  readonly discoveryIntervalMs: number;
  readonly safetyResyncIntervalMs: number;
  readonly rateLimitPerMinute: number;
  readonly maxChannels: number;
  readonly pingIntervalMs: number;
  readonly watchdogTimeoutMs: number;
  readonly conversationTopic: 'conversationsummary' | 'conversations';
  readonly wfm: boolean;
  /** Load published schedules (needs WFM). */
  readonly schedules: boolean;
  readonly scheduleRefreshMs: number;
  /** Fetch `http:` schedule download URLs too (the simulator); `https:` only otherwise. */
  readonly scheduleDownloadHttp: boolean;
  readonly batchWindowMs: number;
  /** How far a platform timestamp may lie ahead of the receive time before it is clamped (and counted). */
  readonly futureToleranceMs: number;
  /** Agents kept as live machine snapshots (the least recently stepped beyond it are kept as JSON text). */
  readonly hotAgents: number;
  readonly leaseTtlMs: number;
  readonly leaseRenewMs: number;
  readonly historyMaxLen: number;
  readonly instanceId: string;
  /** A start-up that has not finished within this long is fatal: the process exits non-zero. */
  readonly startupTimeoutMs: number;
  /** The correction executor: what it does with correction intents (see docs/operations.md "Corrections"). */
  readonly corrections: CorrectionsConfig;
  /** A shutdown (SIGTERM) that has not finished within this long ends the process with exit code 1. */
  readonly shutdownTimeoutMs: number;
  /** How long the start-up check waits for Redis to answer (min of 10 s and `startupTimeoutMs`). */
  readonly redisProbeTimeoutMs: number;
  /** Incident grouping (one engine at a time groups every shard's findings). */
  readonly incidents: {
    readonly enabled: boolean;
    /** Open an incident when at least this many agents open findings of one rule within `windowMs`. */
    readonly minAgents: number;
    readonly windowMs: number;
    /** Time between grouping passes. */
    readonly intervalMs: number;
  };
}

/** Settings of the correction executor. */
export interface CorrectionsConfig {
  /** `apply` sends, `dry-run` audits what it would send and sends nothing, `off` ignores intents. */
  readonly mode: 'apply' | 'dry-run' | 'off';
  /** Share of `rateLimitPerMinute` corrections may take (through the budget shared in Redis); the rest is left to resyncs. */
  readonly budgetShare: number;
  /** A correction counts once a read shows the new state within this long; otherwise it is sent again. */
  readonly confirmTimeoutMs: number;
  /** Sends of one intent before it is given up as `correction.failed`. */
  readonly maxSends: number;
  /** How long an intent waits for the agent's interaction to end before it expires (the domain re-plans). */
  readonly deferMaxMs: number;
  /**
   * Most agents in one `PUT /api/v2/users/presences/bulk` (the platform's limit is [UNVERIFIED]); 1 sends every
   * presence correction on its own. Default 50.
   */
  readonly bulkMax?: number;
  /**
   * How long a sent correction waits for the engine's next committed state (from a notification) to confirm it
   * before the executor spends a REST read. Default 2 s (at most `confirmTimeoutMs`).
   */
  readonly eventConfirmMs?: number;
}

/** A decimal integer in `min..max` (`0x10`, `1e3`, `12.0` and the empty string are refused, not coerced). */
const int = decimalInt;
const ms = (min: number) => int(min, 7 * 24 * 3_600_000);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .optional()
  .or(z.literal('').transform(() => undefined));

const envSchema = z.object({
  GENESYS_REGION: optionalText,
  GENESYS_API_BASE: httpUrl,
  GENESYS_LOGIN_BASE: httpUrl,
  GENESYS_CLIENT_ID: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  GENESYS_CLIENT_SECRET: z.string({ error: 'is required' }).min(1, 'is required'),
  REDIS_URL: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  REDIS_PASSWORD: optionalText,
  LOCKSTEP_AGENTS: z.string({ error: 'is required' }).min(1, 'is required'),
  LOCKSTEP_POLICY_FILE: optionalText,
  LOCKSTEP_KEY_PREFIX: z
    .string()
    .regex(/^[^{}\s]*$/, 'must not contain braces or whitespace')
    .default('lockstep:'),
  LOCKSTEP_SHARD: z.string().default('0/1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  METRICS_PORT: int(0, 65_535).default(9464),
  LOCKSTEP_DISCOVERY_INTERVAL_MS: ms(1_000).default(5 * 60_000),
  LOCKSTEP_SAFETY_RESYNC_INTERVAL_MS: ms(1_000).default(10 * 60_000),
  LOCKSTEP_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(300),
  LOCKSTEP_MAX_CHANNELS: int(1, 20).default(20),
  LOCKSTEP_PING_INTERVAL_MS: ms(100).default(2_000),
  LOCKSTEP_WATCHDOG_TIMEOUT_MS: ms(300).default(75_000),
  LOCKSTEP_CONVERSATION_TOPIC: z
    .enum(['conversationsummary', 'conversations'])
    .default('conversationsummary'),
  LOCKSTEP_WFM: z.enum(['true', 'false']).default('true'),
  LOCKSTEP_SCHEDULES: z.enum(['true', 'false']).default('true'),
  LOCKSTEP_SCHEDULE_REFRESH_MS: ms(60_000).default(15 * 60_000),
  LOCKSTEP_SCHEDULE_DOWNLOAD_HTTP: z.enum(['true', 'false']).default('false'),
  LOCKSTEP_BATCH_WINDOW_MS: int(0, 1_000).default(2),
  LOCKSTEP_FUTURE_TOLERANCE_MS: int(0, 3_600_000).default(5_000),
  LOCKSTEP_HOT_AGENTS: int(0, 10_000_000).default(100_000),
  LOCKSTEP_LEASE_TTL_MS: ms(1_000).default(15_000),
  LOCKSTEP_HISTORY_MAX_LEN: int(10, 1_000_000).default(1_000),
  LOCKSTEP_STARTUP_TIMEOUT_MS: ms(1_000).default(120_000),
  LOCKSTEP_CORRECTIONS: z.enum(['apply', 'dry-run', 'off']).default('dry-run'),
  LOCKSTEP_CORRECTIONS_BUDGET_PERCENT: int(1, 90).default(50),
  LOCKSTEP_CORRECTIONS_CONFIRM_TIMEOUT_MS: ms(500).default(10_000),
  LOCKSTEP_CORRECTIONS_MAX_SENDS: int(1, 10).default(3),
  LOCKSTEP_CORRECTIONS_DEFER_MAX_MS: ms(1_000).default(15 * 60_000),
  LOCKSTEP_CORRECTIONS_BULK_MAX: int(1, 500).default(50),
  LOCKSTEP_CORRECTIONS_EVENT_CONFIRM_MS: ms(0).default(2_000),
  LOCKSTEP_SHUTDOWN_TIMEOUT_MS: ms(1_000).default(10_000),
  LOCKSTEP_INCIDENTS: z.enum(['true', 'false']).default('true'),
  LOCKSTEP_INCIDENT_MIN_AGENTS: int(2, 100_000).default(5),
  LOCKSTEP_INCIDENT_WINDOW_MS: ms(1_000).default(5 * 60_000),
  LOCKSTEP_INCIDENT_INTERVAL_MS: ms(500).default(5_000),
  LOCKSTEP_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be 1-100 letters, digits, '.', '_', ':' or '-'")
    .optional(),
});

type Env = Readonly<Record<string, string | undefined>>;

/** Settings that may instead be read from a file named by `<NAME>_FILE` (Docker secrets). */
export const ENGINE_SECRET_VARIABLES: readonly string[] = Object.freeze([
  'GENESYS_CLIENT_SECRET',
  'REDIS_URL',
  'REDIS_PASSWORD',
]);

/** Every environment variable the engine reads: its schema's keys and the `*_FILE` variants of its secrets. */
export const ENGINE_ENV_VARIABLES: readonly string[] = Object.freeze([
  ...Object.keys(envSchema.shape),
  ...ENGINE_SECRET_VARIABLES.map((name) => `${name}_FILE`),
]);

/** Whether `<name>_FILE` was given: its own problems, if any, are already reported. */
const fromFile = (env: Env, name: string) => (env[`${name}_FILE`]?.trim() ?? '') !== '';

function readPolicy(file: string | undefined, problems: string[]): Policy | undefined {
  if (file === undefined) return parsePolicy({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    problems.push(`LOCKSTEP_POLICY_FILE: cannot read ${file} (${typeof code === 'string' ? code : 'error'})`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.push(`LOCKSTEP_POLICY_FILE: ${file} is not valid JSON (${(err as Error).message})`);
    return undefined;
  }
  try {
    return parsePolicy(json);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    for (const p of err.problems) problems.push(`LOCKSTEP_POLICY_FILE: ${p.path || '(root)'}: ${p.message}`);
    return undefined;
  }
}

function resolveTarget(raw: Env, problems: string[]): GenesysTarget | undefined {
  const text = (name: string) => raw[name]?.trim() || undefined;
  const env = {
    GENESYS_REGION: text('GENESYS_REGION'),
    GENESYS_API_BASE: text('GENESYS_API_BASE'),
    GENESYS_LOGIN_BASE: text('GENESYS_LOGIN_BASE'),
  };
  if (env.GENESYS_API_BASE !== undefined) {
    if (env.GENESYS_REGION !== undefined) {
      problems.push('GENESYS_REGION: give either GENESYS_REGION or GENESYS_API_BASE, not both');
      return undefined;
    }
    return env.GENESYS_LOGIN_BASE === undefined
      ? { apiBase: env.GENESYS_API_BASE }
      : { apiBase: env.GENESYS_API_BASE, loginBase: env.GENESYS_LOGIN_BASE };
  }
  if (env.GENESYS_LOGIN_BASE !== undefined) problems.push('GENESYS_LOGIN_BASE: needs GENESYS_API_BASE');
  if (env.GENESYS_REGION === undefined) {
    problems.push(
      'GENESYS_REGION: is required (a region such as eu_west_1 or a host such as mypurecloud.ie), or set GENESYS_API_BASE',
    );
    return undefined;
  }
  const environment = resolveRegion(env.GENESYS_REGION);
  if (environment === undefined) {
    problems.push(
      `GENESYS_REGION: ${JSON.stringify(env.GENESYS_REGION)} is neither a known region nor a host name`,
    );
    return undefined;
  }
  return { environment };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the engine configuration from `env` (default `process.env`). Returns a deeply frozen object, or throws
 * `ConfigError` whose `problems` list EVERY problem (`VARIABLE: message`), policy-file problems included.
 * Problem texts never contain the client secret or Redis credentials.
 */
export function loadConfig(input: Env = process.env): EngineConfig {
  const secrets = resolveSecretFiles(input, ENGINE_SECRET_VARIABLES);
  const problems: string[] = [...secrets.problems];
  const env = secrets.env;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      // A secret whose file could not be read is reported once, by its `_FILE` variable.
      if (ENGINE_SECRET_VARIABLES.includes(name) && fromFile(input, name) && env[name] === undefined)
        continue;
      problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
    }
  }
  const selector = trySelector(env.LOCKSTEP_AGENTS, problems);
  const shard = tryShard(env.LOCKSTEP_SHARD, problems);
  const policyFile = env.LOCKSTEP_POLICY_FILE?.trim() || undefined;
  const policy = readPolicy(policyFile, problems);
  const withPassword = applyRedisPassword(
    typeof env.REDIS_URL === 'string' ? parseRedisUrls(env.REDIS_URL, problems) : [],
    env.REDIS_PASSWORD?.trim() || undefined,
  );
  problems.push(...withPassword.problems);
  const redisUrls = withPassword.urls;
  const target = resolveTarget(env, problems);
  crossFieldProblems(env, problems);
  if (!parsed.success || problems.length > 0 || !target || !selector || !shard || !policy) {
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return deepFreeze({
    genesys: { target, clientId: e.GENESYS_CLIENT_ID, clientSecret: e.GENESYS_CLIENT_SECRET },
    redisUrls,
    keyPrefix: e.LOCKSTEP_KEY_PREFIX,
    selector,
    shard,
    policy,
    policyFile: policyFile ?? null,
    logLevel: e.LOG_LEVEL,
    metricsHost: e.METRICS_HOST,
    metricsPort: e.METRICS_PORT,
    discoveryIntervalMs: e.LOCKSTEP_DISCOVERY_INTERVAL_MS,
    safetyResyncIntervalMs: e.LOCKSTEP_SAFETY_RESYNC_INTERVAL_MS,
    rateLimitPerMinute: e.LOCKSTEP_RATE_LIMIT_PER_MINUTE,
    maxChannels: e.LOCKSTEP_MAX_CHANNELS,
    pingIntervalMs: e.LOCKSTEP_PING_INTERVAL_MS,
    watchdogTimeoutMs: e.LOCKSTEP_WATCHDOG_TIMEOUT_MS,
    conversationTopic: e.LOCKSTEP_CONVERSATION_TOPIC,
    wfm: e.LOCKSTEP_WFM === 'true',
    schedules: e.LOCKSTEP_SCHEDULES === 'true',
    scheduleRefreshMs: e.LOCKSTEP_SCHEDULE_REFRESH_MS,
    scheduleDownloadHttp: e.LOCKSTEP_SCHEDULE_DOWNLOAD_HTTP === 'true',
    batchWindowMs: e.LOCKSTEP_BATCH_WINDOW_MS,
    futureToleranceMs: e.LOCKSTEP_FUTURE_TOLERANCE_MS,
    hotAgents: e.LOCKSTEP_HOT_AGENTS,
    leaseTtlMs: e.LOCKSTEP_LEASE_TTL_MS,
    leaseRenewMs: Math.max(500, Math.floor(e.LOCKSTEP_LEASE_TTL_MS / 3)),
    historyMaxLen: e.LOCKSTEP_HISTORY_MAX_LEN,
    startupTimeoutMs: e.LOCKSTEP_STARTUP_TIMEOUT_MS,
    shutdownTimeoutMs: e.LOCKSTEP_SHUTDOWN_TIMEOUT_MS,
    redisProbeTimeoutMs: Math.min(10_000, e.LOCKSTEP_STARTUP_TIMEOUT_MS),
    corrections: {
      mode: e.LOCKSTEP_CORRECTIONS,
      budgetShare: e.LOCKSTEP_CORRECTIONS_BUDGET_PERCENT / 100,
      confirmTimeoutMs: e.LOCKSTEP_CORRECTIONS_CONFIRM_TIMEOUT_MS,
      maxSends: e.LOCKSTEP_CORRECTIONS_MAX_SENDS,
      deferMaxMs: e.LOCKSTEP_CORRECTIONS_DEFER_MAX_MS,
      bulkMax: e.LOCKSTEP_CORRECTIONS_BULK_MAX,
      eventConfirmMs: e.LOCKSTEP_CORRECTIONS_EVENT_CONFIRM_MS,
    },
    incidents: {
      enabled: e.LOCKSTEP_INCIDENTS === 'true',
      minAgents: e.LOCKSTEP_INCIDENT_MIN_AGENTS,
      windowMs: e.LOCKSTEP_INCIDENT_WINDOW_MS,
      intervalMs: e.LOCKSTEP_INCIDENT_INTERVAL_MS,
    },
    // The host name is stable across restarts (a container keeps its name), so a restarted engine takes its own
    // lease back at once instead of waiting it out.
    instanceId:
      e.LOCKSTEP_INSTANCE_ID ??
      (hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 60) ||
        'lockstep-engine'),
  });
}

/**
 * Checks that relate two settings. Each field is parsed on its own, so these are reported together with every
 * other problem, not only when the rest of the configuration is valid.
 */
function crossFieldProblems(env: Env, problems: string[]): void {
  const field = <K extends keyof typeof envSchema.shape>(name: K) => {
    const result = envSchema.shape[name].safeParse(env[name]);
    return result.success ? (result.data as z.output<(typeof envSchema.shape)[K]>) : undefined;
  };
  const ping = field('LOCKSTEP_PING_INTERVAL_MS');
  const watchdog = field('LOCKSTEP_WATCHDOG_TIMEOUT_MS');
  if (ping !== undefined && watchdog !== undefined && ping >= watchdog) {
    problems.push('LOCKSTEP_WATCHDOG_TIMEOUT_MS: must be greater than LOCKSTEP_PING_INTERVAL_MS');
  }
}

/** `redis://host:port` of each URL: where Redis is, without credentials. Pure. */
export function redisServers(urls: readonly string[]): string[] {
  return urls.map((u) => {
    const url = new URL(u);
    return `${url.protocol}//${url.host}`;
  });
}

function trySelector(text: string | undefined, problems: string[]): AgentSelector | undefined {
  if (text === undefined || text.trim() === '') return undefined; // reported by the schema
  try {
    return parseSelector(text);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    for (const p of err.problems) problems.push(`LOCKSTEP_AGENTS: ${p}`);
    return undefined;
  }
}

function tryShard(text: string | undefined, problems: string[]): Shard | undefined {
  try {
    return parseShard(text ?? '0/1');
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    for (const p of err.problems) problems.push(`LOCKSTEP_SHARD: ${p}`);
    return undefined;
  }
}

/** What the CLI needs: where the state lives. */
export interface CliConfig {
  readonly redisUrls: readonly string[];
  readonly keyPrefix: string;
}

/**
 * Reads `REDIS_URL`, `REDIS_PASSWORD` (each or its `_FILE` variant) and `LOCKSTEP_KEY_PREFIX` only. Throws
 * `ConfigError` listing every problem.
 */
export function loadCliConfig(input: Env = process.env): CliConfig {
  const secrets = resolveSecretFiles(input, ['REDIS_URL', 'REDIS_PASSWORD']);
  const problems: string[] = [...secrets.problems];
  const env = secrets.env;
  const redis = env.REDIS_URL?.trim() ?? '';
  if (redis === '' && !fromFile(input, 'REDIS_URL')) problems.push('REDIS_URL: is required');
  const withPassword = applyRedisPassword(
    redis === '' ? [] : parseRedisUrls(redis, problems),
    env.REDIS_PASSWORD?.trim() || undefined,
  );
  problems.push(...withPassword.problems);
  const redisUrls = [...withPassword.urls];
  const keyPrefix = env.LOCKSTEP_KEY_PREFIX ?? 'lockstep:';
  if (/[{}\s]/.test(keyPrefix)) problems.push('LOCKSTEP_KEY_PREFIX: must not contain braces or whitespace');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ redisUrls: Object.freeze(redisUrls), keyPrefix });
}

/** The environment variables the CLI reads (the CLI must not touch `process.env` itself). */
export function loadCliEnv(): Readonly<Record<string, string | undefined>> {
  const names = [
    'REDIS_URL',
    'REDIS_URL_FILE',
    'REDIS_PASSWORD',
    'REDIS_PASSWORD_FILE',
    'LOCKSTEP_KEY_PREFIX',
    // The commands over the admin API (see cli-api.ts).
    'LOCKSTEP_API_URL',
    'LOCKSTEP_API_KEY',
  ];
  return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

/** A loggable summary of the configuration: no secret, no Redis credentials. Pure. */
export function describeConfig(config: EngineConfig): Record<string, unknown> {
  return {
    genesys: { target: config.genesys.target, clientId: config.genesys.clientId },
    redis: redisServers(config.redisUrls),
    keyPrefix: config.keyPrefix,
    selector: config.selector,
    shard: `${config.shard.index}/${config.shard.count}`,
    policyFile: config.policyFile,
    metricsPort: config.metricsPort,
    discoveryIntervalMs: config.discoveryIntervalMs,
    safetyResyncIntervalMs: config.safetyResyncIntervalMs,
    rateLimitPerMinute: config.rateLimitPerMinute,
    maxChannels: config.maxChannels,
    wfm: config.wfm,
    corrections: config.corrections,
    schedules: config.schedules,
    scheduleRefreshMs: config.scheduleRefreshMs,
    instanceId: config.instanceId,
    startupTimeoutMs: config.startupTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    incidents: config.incidents,
  };
}
