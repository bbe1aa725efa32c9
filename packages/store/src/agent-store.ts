import { Cluster } from 'ioredis';
import {
  decodeIndexLines,
  encodeIndexLines,
  encodeJson,
  encodePendingLine,
  requireCount,
  requirePositive,
  validateFindings,
} from './codec.js';
import { agentTags, createAgentIndex } from './agent-index.js';
import { errorFromScriptCode, InvalidInputError } from './errors.js';
import { syncFindingsIndex } from './findings-index.js';
import { recordResolvedFindings } from './resolved-findings.js';
import { fnv1a, type Keys, validateId } from './keys.js';
import { defineScripts, expectPair, type RedisClient } from './scripts.js';
import { type AgentCommit, type CommitResult, HISTORY_CAUSES } from './types.js';

/** Longest accepted history detail. */
export const MAX_DETAIL_LENGTH = 500;

export interface AgentStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Entries kept per agent history stream. Default 1000. */
  readonly historyMaxLen?: number;
  /**
   * `approximate` (default) trims with `MAXLEN ~`, which is cheap but keeps up to one stream node (about
   * 100 entries) more than `historyMaxLen`; `exact` trims with `MAXLEN =`.
   */
  readonly historyTrim?: 'approximate' | 'exact';
  /** Clock for commits that carry no `at`. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Name of the lease whose token commits carry as `fence` (see `createLeases`). When set, every commit checks
   * in the same script that the fence is the lease's CURRENT token (on a single node; on Cluster the lease
   * lives in another slot, and only tokens of the same lease are compared per agent). Default: none.
   */
  readonly lease?: string;
}

/** Writes agent state. Reads live in `createReads`. */
export interface AgentStore {
  /**
   * Atomically commits one agent transition in one round-trip: compare-and-set on the version and the
   * fencing token, snapshot + signals + findings, one history entry, and the effects queued as pending
   * outbox entries in the agent's own hash (relay them with the outbox). Afterwards it updates the global
   * agents and open-findings indexes when the agent's open findings changed (idempotent; reads tolerate them
   * being briefly stale; `repairFindingsIndex` heals an update lost to a crash).
   * Throws `StaleVersionError` / `StaleFenceError` (nothing written) or `InvalidInputError`.
   */
  commit(input: AgentCommit): Promise<CommitResult>;
}

/** Creates the agent store. Registers the Lua scripts on `redis`; does not own or close the client. */
export function createAgentStore(options: AgentStoreOptions): AgentStore {
  const { redis, keys } = options;
  const historyMaxLen = requirePositive('historyMaxLen', options.historyMaxLen ?? 1000);
  const trim = (options.historyTrim ?? 'approximate') === 'exact' ? '=' : '~';
  const now = options.now ?? Date.now;
  const leaseName = options.lease === undefined ? '' : validateId('lease name', options.lease);
  // A script may only read keys of its own slot on Cluster: there the lease cannot be checked in the commit.
  const readLease = leaseName !== '' && !(redis instanceof Cluster);
  defineScripts(redis);
  // Agents already in the agents index (this process). The index is written before the first commit so
  // that a crash can never leave a committed agent, and so its pending outbox, out of the index.
  const indexed = new Set<string>();
  // Agent-list indexes (see agent-index.ts): a fingerprint of the state + tags this process indexed with its last
  // commit of each agent, so an unchanged agent costs no extra round-trip. Only trusted when that commit is the one
  // just before this one (no other writer, e.g. another lease holder, committed in between). One number per agent
  // (version modulo 2^20, then a 32-bit hash of the listing) keeps the cache small at 100,000 agents.
  const agentIndex = createAgentIndex({ redis, keys });
  const listed = new Map<string, number>();
  const fingerprint = (version: number, listing: string) => (version % 2 ** 20) * 2 ** 32 + fnv1a(listing);

  async function ensureIndexed(agentId: string): Promise<void> {
    if (indexed.has(agentId)) return;
    await redis.zadd(keys.agentsIndex(), 'NX', 0, agentId);
    indexed.add(agentId);
  }

  return {
    async commit(input) {
      const agentId = validateId('agent id', input.agentId);
      const expectedVersion = requireCount('expectedVersion', input.expectedVersion);
      const fence = requireCount('fence', input.fence);
      if (typeof input.state !== 'string' || input.state.length === 0) {
        throw new InvalidInputError(`agent ${agentId}: state must be a non-empty string`);
      }
      if (!HISTORY_CAUSES.includes(input.cause)) {
        throw new InvalidInputError(`agent ${agentId}: cause must be one of ${HISTORY_CAUSES.join(', ')}`);
      }
      if (typeof input.detail !== 'string' || input.detail.length > MAX_DETAIL_LENGTH) {
        throw new InvalidInputError(
          `agent ${agentId}: detail must be a string of at most ${MAX_DETAIL_LENGTH} characters`,
        );
      }
      const at = input.at ?? now();
      if (!Number.isFinite(at)) throw new InvalidInputError(`agent ${agentId}: at must be a finite epoch ms`);
      const findings = validateFindings(agentId, input.findings);
      if (!Array.isArray(input.effects))
        throw new InvalidInputError(`agent ${agentId}: effects must be an array`);

      const version = expectedVersion + 1;
      const outboxIds: string[] = [];
      const pending = input.effects
        .map((effect, i) => {
          const id = `${agentId}:${version}:${i}`;
          outboxIds.push(id);
          return encodePendingLine({ id, version, at, body: encodeJson(`effect ${i}`, effect) });
        })
        .join('\n');
      const indexLines = encodeIndexLines(findings);

      await ensureIndexed(agentId);
      const agentKey = keys.agent(agentId);
      const reply = await redis.lockstepCommitAgent(
        agentKey,
        keys.history(agentId),
        readLease ? keys.lease(leaseName) : agentKey,
        expectedVersion,
        fence,
        at,
        input.state,
        encodeJson('machine snapshot', input.machine),
        encodeJson('signals', input.signals),
        encodeJson('findings', findings),
        indexLines,
        pending,
        input.cause,
        input.detail,
        historyMaxLen,
        trim,
        leaseName,
        readLease ? '1' : '0',
      );
      const [code, detail] = expectPair('commit-agent', reply);
      const error = errorFromScriptCode('commit-agent', code, Number(detail), {
        agentId,
        expectedVersion,
        fence,
      });
      if (error) throw error;

      // Unchanged open findings need no index write (a write lost to a crash is healed by
      // `repairFindingsIndex`, which the engine runs at start).
      const previousLines = String(detail);
      if (previousLines !== indexLines) {
        await syncFindingsIndex(
          redis,
          keys,
          agentId,
          decodeIndexLines(previousLines),
          decodeIndexLines(indexLines),
        );
        await recordResolvedFindings(
          redis,
          keys,
          agentId,
          decodeIndexLines(previousLines),
          decodeIndexLines(indexLines),
          at,
        );
      }
      const tags = agentTags(input.signals, findings, input.tags);
      const listing = `${input.state}\t${tags.join('\n')}`;
      if (listed.get(agentId) !== fingerprint(expectedVersion, listing)) {
        // Without tags from the caller, the membership tags the agent directory keeps stay as they are.
        await agentIndex.sync(agentId, code, input.state, at, tags, {
          keepMemberships: input.tags === undefined,
        });
      }
      listed.set(agentId, fingerprint(code, listing));
      return { version: code, outboxIds };
    },
  };
}
