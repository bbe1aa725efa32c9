import { InvalidInputError } from './errors.js';

/** Longest id accepted in a key (agent, finding, rule, lease, consumer). */
export const MAX_ID_LENGTH = 200;

// Braces would break Cluster hash tags; `|` and tab separate fields in index members and pending lines;
// whitespace and control characters make keys unreadable in tooling.
const FORBIDDEN = /[{}|\s\p{Cc}]/u;

/**
 * Throws `InvalidInputError` unless `value` is a non-empty string of at most `MAX_ID_LENGTH` characters
 * without braces, `|`, whitespace or control characters. Returns the value unchanged.
 */
export function validateId(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError(`${kind} must be a non-empty string`);
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new InvalidInputError(`${kind} is longer than ${MAX_ID_LENGTH} characters`);
  }
  if (FORBIDDEN.test(value)) {
    throw new InvalidInputError(
      `${kind} ${JSON.stringify(value)} contains a brace, '|', whitespace or a control character`,
    );
  }
  return value;
}

/** Options of `createKeys`. */
export interface KeysOptions {
  /** Number of outbox streams (shards). Default 1. Each agent always maps to the same shard. */
  readonly outboxShards?: number;
}

/**
 * Every Redis key the store uses. Per-agent keys share the hash tag `{agent:<id>}` so one script can touch
 * them all on Redis Cluster; global keys are grouped by tag (`{agents}`, `{findings}`, `{outbox:<n>}`,
 * `{leases}`, `{incidents}`) so each group can be updated atomically too.
 */
export interface Keys {
  readonly prefix: string;
  readonly outboxShards: number;
  /** Agent hash: version, fencing token, machine snapshot, signals, open findings, pending outbox. */
  agent(agentId: string): string;
  /** Agent history stream (bounded). */
  history(agentId: string): string;
  /** Per-agent correction lock (intent, fencing token, state). */
  correctionLock(agentId: string): string;
  /** Per-agent published-schedule cache (JSON: segments, last change, load time), expiring. */
  schedule(agentId: string): string;
  /** Sorted set (all scores 0, ordered by id) of every agent ever committed. */
  agentsIndex(): string;
  /** Sorted set of open findings, member `<agentId>|<findingId>`, score = openedAt (ms). */
  findingsOpen(): string;
  /** Same as `findingsOpen` restricted to one rule. */
  findingsByRule(ruleId: string): string;
  /** Set of rule ids that ever had a per-rule index set (lets a repair find them without SCAN). */
  findingsRules(): string;
  /** Sorted set of recently resolved findings, score = resolvedAt (see `resolved-findings.ts`). */
  findingsResolved(): string;
  /** Hash of every watched agent's attributes (field agent id, value JSON): the incident baseline. */
  agentAttributes(): string;
  /** Hash of the agent's attributes when each open finding opened (field `<agentId>|<findingId>`, value JSON). */
  findingAttributes(): string;
  /** Hash of incident documents (field incident id, value JSON). */
  incidents(): string;
  /** Sorted set of incident ids with `status` (or every incident), score = updatedAt (ms): newest first. */
  incidentsByStatus(status: 'open' | 'resolved' | 'all'): string;
  /** List of incident outbox entries stored but not yet published (published, then removed). */
  incidentsPending(): string;
  /** Outbox stream of shard `n`. */
  outboxStream(shard: number): string;
  /** Sorted set of recently published outbox entry ids of shard `n` (idempotent relay). */
  outboxDedupe(shard: number): string;
  /** The outbox shard an agent's effects go to (stable for a given shard count). */
  outboxShardOf(agentId: string): number;
  /** Lease hash (owner, token), expiring with the lease. */
  lease(name: string): string;
  /** What the holder of lease `name` reports about itself (JSON), expiring unless refreshed. */
  leaseStatus(name: string): string;
  /** Command stream: requests for the engine from other processes (CLI, admin API), e.g. declared states. */
  commandsStream(): string;
  /** Global fencing-token counter shared by every lease, so tokens are comparable across leases. */
  fenceCounter(): string;
  /** Request budget (token bucket) shared by every process that calls the API as one OAuth client. */
  rateBudget(clientId: string): string;
  /** Hash agentId -> the agent's indexed tags and state-since (see `agent-index.ts`). */
  agentTags(): string;
  /** Sorted set (all scores 0, ordered by id) of the agents carrying `tag` (e.g. `presence:ON_QUEUE`). */
  agentsByTag(tag: string): string;
  /** Sorted set of every indexed agent, score = since when its machine state holds (epoch ms). */
  agentsByStateSince(): string;
  /** Hash agentId -> JSON directory profile of a watched agent (name, queues, division, management unit). */
  agentProfiles(): string;
  /** Sorted set (all scores 0) of watched agents by name: member `<sort key>\t<agentId>` (see `agent-profiles.ts`). */
  agentsByName(): string;
  /** Hash of admin API keys: key id -> JSON record holding the key's hash, never the key. */
  apiKeys(): string;
  /** Admin audit stream: one entry per write through the admin API. */
  audit(): string;
  /** Hash ruleId -> JSON policy override written through the admin API; engines watch it. */
  policyOverrides(): string;
  /** Prefix of the admin API rate-limit counters (one key per API key, managed by @fastify/rate-limit). */
  rateLimitPrefix(): string;
}

/**
 * Builds the key catalogue for `prefix` (e.g. `lockstep:`). The prefix may be empty but must not contain
 * braces or whitespace. The returned object is frozen and pure.
 */
export function createKeys(prefix: string, options: KeysOptions = {}): Keys {
  if (typeof prefix !== 'string' || /[{}\s]/u.test(prefix)) {
    throw new InvalidInputError(`key prefix ${JSON.stringify(prefix)} must not contain braces or whitespace`);
  }
  const shards = options.outboxShards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
    throw new InvalidInputError(`outboxShards must be an integer in 1..1024, got ${String(shards)}`);
  }
  const shard = (n: number): number => {
    if (!Number.isInteger(n) || n < 0 || n >= shards) {
      throw new InvalidInputError(`outbox shard must be an integer in 0..${shards - 1}, got ${String(n)}`);
    }
    return n;
  };
  return Object.freeze({
    prefix,
    outboxShards: shards,
    agent: (agentId: string) => `${prefix}{agent:${validateId('agent id', agentId)}}`,
    history: (agentId: string) => `${prefix}{agent:${validateId('agent id', agentId)}}:history`,
    correctionLock: (agentId: string) => `${prefix}{agent:${validateId('agent id', agentId)}}:correction`,
    schedule: (agentId: string) => `${prefix}{agent:${validateId('agent id', agentId)}}:schedule`,
    agentsIndex: () => `${prefix}{agents}:index`,
    findingsOpen: () => `${prefix}{findings}:open`,
    findingsByRule: (ruleId: string) => `${prefix}{findings}:rule:${validateId('rule id', ruleId)}`,
    findingsRules: () => `${prefix}{findings}:rules`,
    findingsResolved: () => `${prefix}{findings}:resolved`,
    agentAttributes: () => `${prefix}{agents}:attributes`,
    findingAttributes: () => `${prefix}{findings}:attributes`,
    incidents: () => `${prefix}{incidents}:docs`,
    incidentsByStatus: (status: 'open' | 'resolved' | 'all') => {
      if (status !== 'open' && status !== 'resolved' && status !== 'all') {
        throw new InvalidInputError(
          `incident status must be open, resolved or all, got ${JSON.stringify(status)}`,
        );
      }
      return `${prefix}{incidents}:${status}`;
    },
    incidentsPending: () => `${prefix}{incidents}:pending`,
    outboxStream: (n: number) => `${prefix}{outbox:${shard(n)}}:stream`,
    outboxDedupe: (n: number) => `${prefix}{outbox:${shard(n)}}:dedupe`,
    outboxShardOf: (agentId: string) => fnv1a(validateId('agent id', agentId)) % shards,
    commandsStream: () => `${prefix}{commands}:stream`,
    lease: (name: string) => `${prefix}{leases}:lease:${validateId('lease name', name)}`,
    leaseStatus: (name: string) => `${prefix}{leases}:status:${validateId('lease name', name)}`,
    fenceCounter: () => `${prefix}{leases}:fence`,
    rateBudget: (clientId: string) => `${prefix}{budget:${validateId('client id', clientId)}}`,
    agentTags: () => `${prefix}{agents}:tags`,
    agentsByTag: (tag: string) => `${prefix}{agents}:tag:${validateId('tag', tag)}`,
    agentsByStateSince: () => `${prefix}{agents}:since`,
    agentProfiles: () => `${prefix}{agents}:profiles`,
    agentsByName: () => `${prefix}{agents}:names`,
    apiKeys: () => `${prefix}{admin}:keys`,
    audit: () => `${prefix}{admin}:audit`,
    policyOverrides: () => `${prefix}{policy}:overrides`,
    rateLimitPrefix: () => `${prefix}{ratelimit}:`,
  });
}

/** 32-bit FNV-1a over UTF-16 code units: cheap, stable across processes and versions. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
