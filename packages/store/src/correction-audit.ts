import { InvalidInputError, ScriptResultError } from './errors.js';
import { type Keys, validateId } from './keys.js';
import { defineScripts, type RedisClient } from './scripts.js';

/** Longest audit detail kept in a history entry (the JSON of one attempt). */
export const MAX_AUDIT_DETAIL_LENGTH = 4_000;

export interface CorrectionAuditOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Entries kept per agent history stream (the same bound as commits). Default 1000. */
  readonly historyMaxLen?: number;
  /** Outbox retention and dedupe window, as the outbox's own. Defaults 100 000 each. */
  readonly outboxMaxLen?: number;
  readonly dedupeWindow?: number;
}

/** One correction attempt as written to the agent's history. */
export interface CorrectionAuditEntry {
  readonly agentId: string;
  /** Epoch ms of the attempt's outcome. */
  readonly at: number;
  /** State summary before (`from`) and the state intended (`to`), e.g. `AVAILABLE/OFF_QUEUE` → `ON_QUEUE`. */
  readonly from: string;
  readonly to: string;
  /** The attempt as JSON-serialisable data (request, status, correlation id, attempt, fence, outcome ...). */
  readonly detail: unknown;
}

/** An outcome for the outbox: `id` is stable (replays are deduplicated on it), `body` the effect. */
export interface CorrectionOutcomeEntry {
  readonly agentId: string;
  readonly id: string;
  readonly at: number;
  readonly body: unknown;
}

/**
 * Where correction attempts are recorded. `record` appends one history entry (cause `correction`, version 0:
 * an attempt is not a commit of the agent's state) to the agent's bounded history stream; `publish` appends an
 * outcome to the agent's outbox shard through the outbox's own idempotent script, so notifiers read it with
 * the findings. Neither touches the agent hash, so neither can race a commit. Cluster-safe (one slot each).
 */
export interface CorrectionAudit {
  record(entry: CorrectionAuditEntry): Promise<void>;
  publish(entry: CorrectionOutcomeEntry): Promise<boolean>;
}

export function createCorrectionAudit(options: CorrectionAuditOptions): CorrectionAudit {
  const { redis, keys } = options;
  const historyMaxLen = options.historyMaxLen ?? 1000;
  const maxLen = options.outboxMaxLen ?? 100_000;
  const dedupeWindow = options.dedupeWindow ?? 100_000;
  if (!(Number.isInteger(historyMaxLen) && historyMaxLen > 0)) {
    throw new InvalidInputError(`historyMaxLen must be a positive integer, got ${String(historyMaxLen)}`);
  }
  defineScripts(redis);
  return {
    async record(entry) {
      const agentId = validateId('agent id', entry.agentId);
      let detail = JSON.stringify(entry.detail);
      if (detail.length > MAX_AUDIT_DETAIL_LENGTH)
        detail = `${detail.slice(0, MAX_AUDIT_DETAIL_LENGTH - 1)}…`;
      await redis.xadd(
        keys.history(agentId),
        'MAXLEN',
        '~',
        historyMaxLen,
        '*',
        'v',
        '0',
        'at',
        String(entry.at),
        'cause',
        'correction',
        'detail',
        detail,
        'from',
        entry.from.slice(0, 200),
        'to',
        entry.to.slice(0, 200),
      );
    },
    async publish(entry) {
      const agentId = validateId('agent id', entry.agentId);
      const shard = keys.outboxShardOf(agentId);
      const reply = await redis.lockstepPublishOutbox(
        keys.outboxStream(shard),
        keys.outboxDedupe(shard),
        maxLen,
        dedupeWindow,
        entry.at,
        entry.id,
        agentId,
        0,
        entry.at,
        JSON.stringify(entry.body),
      );
      if (typeof reply !== 'number') throw new ScriptResultError('publish-outbox', reply);
      return reply === 1;
    },
  };
}
