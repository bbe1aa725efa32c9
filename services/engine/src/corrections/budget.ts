import { createRateBudget, type Keys, type RedisClient } from '@lockstep/store';
import type { EngineMetrics } from '../metrics.js';
import { PRIORITIES } from './priority.js';

/**
 * Per priority (index = rank of `PRIORITIES`), the share of the bucket a priority leaves to those above it:
 * adherence fixes stop while less than half the burst is left, declared states at a quarter, stuck agents
 * take the last token.
 */
export const PRIORITY_FLOORS = [0, 0.25, 0.5] as const;

export interface CorrectionBudgetOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly clientId: string;
  /** The OAuth client's limit (requests per minute). */
  readonly rateLimitPerMinute: number;
  /** Share of that limit corrections may use; the rest is left to resyncs, discovery and WFM reads. */
  readonly share: number;
  readonly metrics: EngineMetrics;
  /** Jitter added to each wait (spreads processes and agents that wait together). Default 250 ms. */
  readonly jitterMs?: number;
}

/** The corrections' share of the OAuth client's request budget, shared through Redis by every replica. */
export interface CorrectionBudget {
  /** Waits for one request's token at `priority` (0 first), measuring the wait. */
  take(priority: number, signal?: AbortSignal): Promise<void>;
  /** Stops every replica's corrections for `ms` (a 429's Retry-After). */
  block(ms: number): Promise<void>;
  readonly perSecond: number;
}

export function createCorrectionBudget(options: CorrectionBudgetOptions): CorrectionBudget {
  const budget = createRateBudget({
    redis: options.redis,
    keys: options.keys,
    // One bucket per OAuth client for corrections, whatever the number of replicas.
    clientId: `${options.clientId}:corrections`,
    ratePerMinute: options.rateLimitPerMinute * options.share,
    floors: PRIORITY_FLOORS.slice(0, PRIORITIES.length),
  });
  const jitterMs = options.jitterMs ?? 250;
  return {
    perSecond: budget.rate.perSecond,
    async take(priority, signal) {
      const started = performance.now();
      await budget.take(priority, 1, { jitterMs, ...(signal === undefined ? {} : { signal }) });
      options.metrics.correctionBudgetWait.observe(
        { priority: PRIORITIES[priority] ?? String(priority) },
        (performance.now() - started) / 1000,
      );
    },
    block: (ms) => budget.block(ms),
  };
}
