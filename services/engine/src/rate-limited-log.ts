import type { Logger } from 'pino';

/**
 * Logs at most one line per key per interval; occurrences in between are counted and reported with the next
 * line of that key (`suppressed`). Used for bad input arriving at a high rate (undecodable notifications).
 */
export interface RateLimitedLog {
  warn(key: string, fields: Record<string, unknown>, message: string): void;
}

export function createRateLimitedLog(logger: Logger, now: () => number, intervalMs = 10_000): RateLimitedLog {
  const state = new Map<string, { last: number; suppressed: number }>();
  return {
    warn(key, fields, message) {
      const t = now();
      const s = state.get(key);
      if (s !== undefined && t - s.last < intervalMs) {
        s.suppressed++;
        return;
      }
      logger.warn({ ...fields, suppressed: s?.suppressed ?? 0 }, message);
      state.set(key, { last: t, suppressed: 0 });
    },
  };
}
