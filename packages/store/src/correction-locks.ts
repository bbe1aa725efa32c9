import { ScriptResultError } from './errors.js';
import type { Keys } from './keys.js';
import { defineScripts, type RedisClient } from './scripts.js';

export type ClaimResult = 'claimed' | 'already-sent' | 'stale-fence' | 'in-flight';

export interface CorrectionLocksOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** How long an unsettled claim holds before it lapses (a dead process's claim). Default 60 s. */
  readonly ttlMs?: number;
}

/**
 * The per-agent correction lock in Redis: a correction is claimed with the caller's fencing token before it is
 * sent, marked `sent` right after, and `settled` once confirmed or given up. A claim of an intent already sent or
 * settled is refused, so corrections are idempotent across processes, restarts and moves of an agent between
 * engines. Cluster-safe (one key, hash-tagged with the agent).
 */
export interface CorrectionLocks {
  claim(agentId: string, intentId: string, fence: number, owner: string, now: number): Promise<ClaimResult>;
  /** Records progress; `false` when the lock is no longer the caller's (fence or intent differ). */
  mark(
    agentId: string,
    intentId: string,
    fence: number,
    state: 'sent' | 'settled',
    now: number,
  ): Promise<boolean>;
}

const CLAIM: Readonly<Record<number, ClaimResult>> = {
  1: 'claimed',
  0: 'already-sent',
  [-1]: 'stale-fence',
  [-2]: 'in-flight',
};

export function createCorrectionLocks(options: CorrectionLocksOptions): CorrectionLocks {
  const { redis, keys } = options;
  const ttlMs = options.ttlMs ?? 60_000;
  defineScripts(redis);
  return {
    async claim(agentId, intentId, fence, owner, now) {
      const reply = await redis.lockstepClaimCorrection(
        keys.correctionLock(agentId),
        'claim',
        intentId,
        fence,
        owner,
        ttlMs,
        now,
      );
      const result = typeof reply === 'number' ? CLAIM[reply] : undefined;
      if (result === undefined) throw new ScriptResultError('claim-correction', reply);
      return result;
    },
    async mark(agentId, intentId, fence, state, now) {
      const reply = await redis.lockstepClaimCorrection(
        keys.correctionLock(agentId),
        'mark',
        intentId,
        fence,
        '',
        state,
        now,
      );
      if (reply !== 1 && reply !== -1) throw new ScriptResultError('claim-correction', reply);
      return reply === 1;
    },
  };
}
