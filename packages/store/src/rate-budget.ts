import { InvalidInputError, ScriptResultError } from './errors.js';
import type { Keys } from './keys.js';
import { defineScripts, type RedisClient } from './scripts.js';

export interface RateBudgetOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** The OAuth client whose limit this budget shares (every replica using that client shares one bucket). */
  readonly clientId: string;
  /** The platform's limit for the client, requests per minute. */
  readonly ratePerMinute: number;
  /** Share of the limit lockstep allows itself (0 < headroom <= 1). Default 0.9. */
  readonly headroom?: number;
  /** Most requests in one burst. Default: five seconds' worth of the allowed rate, at least 1. */
  readonly burst?: number;
  /**
   * Per priority (index 0 is the highest), the share of the bucket that priority must leave for the ones above
   * it. Default `[0]`: one priority. `[0, 0.3]` lets priority 1 take tokens only while more than 30 % of the
   * burst is left, so priority 0 always finds some.
   */
  readonly floors?: readonly number[];
}

export interface Grant {
  readonly granted: boolean;
  /** When not granted: ms after which the same request can succeed if no one else takes tokens meanwhile. */
  readonly waitMs: number;
}

/**
 * A request budget shared through Redis by every process calling the API as one OAuth client: a token bucket
 * timed by the Redis server clock, with reserves that keep lower priorities from taking the last tokens, and a
 * block that every process honours after a 429 with `Retry-After`. Cluster-safe (one key).
 */
export interface RateBudget {
  /** Tries to take `cost` tokens for `priority` once. */
  tryTake(priority: number, cost?: number): Promise<Grant>;
  /**
   * Waits until `cost` tokens are taken for `priority`, sleeping between tries for the wait Redis names plus a
   * jitter of up to `jitterMs` (spreads the processes that wait together). Rejects with the signal's reason.
   */
  take(priority: number, cost?: number, options?: { signal?: AbortSignal; jitterMs?: number }): Promise<void>;
  /** Stops every process from taking tokens for `ms` (e.g. the `Retry-After` of a 429). */
  block(ms: number): Promise<void>;
  /** Allowed requests per second after headroom, and the burst. */
  readonly rate: { readonly perSecond: number; readonly burst: number };
}

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const { redis, keys } = options;
  const headroom = options.headroom ?? 0.9;
  if (!(options.ratePerMinute > 0) || !Number.isFinite(options.ratePerMinute)) {
    throw new InvalidInputError(
      `ratePerMinute must be a positive number, got ${String(options.ratePerMinute)}`,
    );
  }
  if (!(headroom > 0 && headroom <= 1)) {
    throw new InvalidInputError(`headroom must be in (0, 1], got ${String(headroom)}`);
  }
  const perSecond = (options.ratePerMinute * headroom) / 60;
  const burst = options.burst ?? Math.max(1, Math.floor(perSecond * 5));
  if (!(burst >= 1)) throw new InvalidInputError(`burst must be at least 1, got ${String(burst)}`);
  const floors = options.floors ?? [0];
  for (const share of floors) {
    if (!(share >= 0 && share < 1))
      throw new InvalidInputError(`floors must be in [0, 1), got ${String(share)}`);
  }
  const key = keys.rateBudget(options.clientId);
  defineScripts(redis);

  const floorOf = (priority: number): number => {
    const share = floors[Math.min(Math.max(0, Math.trunc(priority)), floors.length - 1)] ?? 0;
    return share * burst;
  };

  async function run(floor: number, cost: number, blockMs: number): Promise<Grant> {
    const reply = await redis.lockstepTakeBudget(key, burst, perSecond, floor, cost, Math.ceil(blockMs));
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new ScriptResultError('take-budget', reply);
    }
    return { granted: reply[0] === 1, waitMs: reply[1] };
  }

  const tryTake = (priority: number, cost = 1): Promise<Grant> => {
    if (!(cost >= 1 && cost <= burst)) {
      return Promise.reject(new InvalidInputError(`cost must be in 1..${burst}, got ${String(cost)}`));
    }
    return run(floorOf(priority), cost, 0);
  };

  return {
    rate: { perSecond, burst },
    tryTake,
    async take(priority, cost = 1, opts = {}) {
      const jitterMs = opts.jitterMs ?? 250;
      for (;;) {
        opts.signal?.throwIfAborted();
        const grant = await tryTake(priority, cost);
        if (grant.granted) return;
        const delay = grant.waitMs + Math.floor(Math.random() * jitterMs);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(done, delay);
          function done() {
            opts.signal?.removeEventListener('abort', aborted);
            resolve();
          }
          function aborted() {
            clearTimeout(timer);
            reject(opts.signal?.reason);
          }
          opts.signal?.addEventListener('abort', aborted, { once: true });
        });
      }
    },
    async block(ms) {
      if (ms > 0) await run(0, 1, ms);
    },
  };
}
