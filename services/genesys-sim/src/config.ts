import { parseArgs } from 'node:util';
import { decimalInt } from '@lockstep/config';
import { z } from 'zod';

/**
 * The simulator's configuration, parsed once from command-line flags and the environment.
 * This is the only module of the simulator that reads `process.env`.
 */
export interface SimConfig {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Scenario name (shipped with the simulator) or file path. */
  readonly scenario: string;
  readonly seed: number | undefined;
  readonly speed: number | undefined;
  /** Bearer token of the control API (`/__sim/...`). */
  readonly controlToken: string;
  readonly heartbeatMs: number;
  /** Requests per token per minute before 429 (reference §5.2). */
  readonly rateLimitPerMinute: number;
  /**
   * Requests per OAuth client per minute, over all its tokens, before 429; `undefined` leaves it to the scenario
   * (`oauthClients[].rateLimitPerMinute`), else no per-client limit. The control API can change it at run time.
   */
  readonly clientRateLimitPerMinute: number | undefined;
  /**
   * Answer form of the MU schedule search: `sync` (result inline) or `download` (a `downloadUrl`);
   * `undefined` leaves it to the scenario (`platform.scheduleSearchAnswer`), else `sync`.
   */
  readonly scheduleSearchAnswer: 'sync' | 'download' | undefined;
  /** Largest `pageSize` of `GET /api/v2/users` ([UNVERIFIED] platform value). */
  readonly usersMaxPageSize: number;
  /** Channels per OAuth client before eviction (reference §2.3). */
  readonly maxChannelsPerClient: number;
  /** Topics per channel (reference §2.3). */
  readonly maxTopicsPerChannel: number;
  /** Channel lifetime; resubscribing extends it by the same amount (reference §2.3). */
  readonly channelTtlMs: number;
  /** Delay between `v2.system.socket_closing` and the close, unless a fault shortens it. */
  readonly socketClosingAfterMs: number;
  /**
   * What `ignoreErrors=true` does with an invalid topic: `reject-entity` reports it as a `Rejected` entity,
   * `error` still answers 400 ([UNVERIFIED], reference §2.2).
   */
  readonly invalidTopicWithIgnoreErrors: 'reject-entity' | 'error';
  /** Bytes queued on a socket above which further events to it are dropped (backpressure). */
  readonly maxSocketBufferedBytes: number;
  /** Seed of the transport's own random choices (delivery-fault probabilities, server-error bursts). */
  readonly faultSeed: number;
  readonly logLevel: string;
  /** A shutdown (SIGTERM) that has not finished within this long ends the process with exit code 1. */
  readonly shutdownTimeoutMs: number;
}

/** Raised when flags or environment are invalid; lists every problem. */
export class SimConfigError extends Error {
  readonly code = 'SIM_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid simulator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimConfigError';
  }
}

/** Decimal integers only (`0x10`, `1e3` and `12.0` are refused, not coerced). */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => decimalInt(min, max);

const schema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: int(0, 65_535).default(0),
  scenario: z.string({ error: 'is required' }).min(1, 'is required'),
  seed: decimalInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).optional(),
  speed: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal number')
    .transform(Number)
    .pipe(z.number().positive().max(100_000))
    .optional(),
  'control-token': z.string().min(1).default('sim-control'),
  'heartbeat-ms': int(10).default(30_000),
  'rate-limit': int(1).default(300),
  'client-rate-limit': int(1).optional(),
  'schedule-search-answer': z.enum(['sync', 'download']).optional(),
  'users-max-page-size': int(1).default(500),
  'max-channels': int(1).default(20),
  'max-topics': int(1).default(1_000),
  'channel-ttl-ms': int(1).default(24 * 60 * 60 * 1000),
  'socket-closing-after-ms': int(0).default(60_000),
  'invalid-topic-with-ignore-errors': z.enum(['reject-entity', 'error']).default('reject-entity'),
  'max-socket-buffered-bytes': int(1024).default(8 * 1024 * 1024),
  'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  'shutdown-timeout-ms': int(100, 600_000).default(10_000),
});

type FlagName = keyof z.infer<typeof schema>;
const FLAGS = new Set<string>(Object.keys(schema.shape));

/** The environment variables the simulator reads, each standing in for a flag (the flag wins). */
const ENV_FLAGS = { LOG_LEVEL: 'log-level' } as const satisfies Record<string, FlagName>;

/** Every environment variable the simulator reads (everything else is a command-line flag). */
export const SIM_ENV_VARIABLES: readonly string[] = Object.freeze(Object.keys(ENV_FLAGS));

/**
 * Parses `--flag value` / `--flag=value` arguments (and `LOG_LEVEL` from `env`) into a frozen config.
 * Pure apart from reading the given arrays. Throws `SimConfigError` listing every problem at once.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimConfig {
  const problems: string[] = [];
  const raw: Partial<Record<FlagName, string>> = {};
  for (const [name, flag] of Object.entries(ENV_FLAGS)) {
    const value = env[name];
    if (value) raw[flag] = value;
  }
  // Non-strict, so that every problem is collected rather than the first one thrown.
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries([...FLAGS].map((flag) => [flag, { type: 'string' as const }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') problems.push(`unexpected argument "${token.value}"`);
    else if (token.kind === 'option') {
      if (!FLAGS.has(token.name)) problems.push(`unknown flag ${token.rawName}`);
      else if (token.value === undefined) problems.push(`--${token.name} needs a value`);
      else raw[token.name as FlagName] = token.value;
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`--${issue.path.join('.')}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) throw new SimConfigError(problems);
  const v = parsed.data;
  return Object.freeze({
    host: v.host,
    port: v.port,
    scenario: v.scenario,
    seed: v.seed,
    speed: v.speed,
    controlToken: v['control-token'],
    heartbeatMs: v['heartbeat-ms'],
    rateLimitPerMinute: v['rate-limit'],
    clientRateLimitPerMinute: v['client-rate-limit'],
    scheduleSearchAnswer: v['schedule-search-answer'],
    usersMaxPageSize: v['users-max-page-size'],
    maxChannelsPerClient: v['max-channels'],
    maxTopicsPerChannel: v['max-topics'],
    channelTtlMs: v['channel-ttl-ms'],
    socketClosingAfterMs: v['socket-closing-after-ms'],
    invalidTopicWithIgnoreErrors: v['invalid-topic-with-ignore-errors'],
    maxSocketBufferedBytes: v['max-socket-buffered-bytes'],
    faultSeed: v.seed ?? 0,
    logLevel: v['log-level'],
    shutdownTimeoutMs: v['shutdown-timeout-ms'],
  });
}

/** Defaults for an in-process server (tests); only `scenario` matters to the transport and may be a label. */
export function defaultConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  return Object.freeze({ ...loadConfig(['--scenario', 'in-process'], {}), ...overrides });
}
