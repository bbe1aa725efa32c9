/** The verdict for one request, with the values of the `inin-ratelimit-*` headers (reference §5.2). */
export interface RateDecision {
  readonly allowed: boolean;
  /** Requests counted in the current window, this one included. */
  readonly count: number;
  readonly limit: number;
  /** Whole seconds until the window resets (≥ 1). */
  readonly resetSec: number;
}

export interface RateLimiter {
  /** Counts one request against `key` and says whether it is within `limitPerMinute`. */
  hit(key: string, limitPerMinute: number): RateDecision;
  /** Forgets every window (e.g. at close). */
  clear(): void;
}

const WINDOW_MS = 60_000;

/**
 * A fixed-window limiter of requests per key and minute (the platform's `token.rate.per.minute`). The limit is
 * given with each hit, so it can change while windows run. Windows start at a key's first request; expired windows
 * are dropped lazily.
 */
export function createRateLimiter(clock: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = clock();
  return {
    hit(key, limitPerMinute) {
      const now = clock();
      if (now - lastSweep > WINDOW_MS) {
        for (const [k, w] of windows) if (now - w.start >= WINDOW_MS) windows.delete(k);
        lastSweep = now;
      }
      let w = windows.get(key);
      if (!w || now - w.start >= WINDOW_MS) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return {
        allowed: w.count <= limitPerMinute,
        count: w.count,
        limit: limitPerMinute,
        resetSec: Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)),
      };
    },
    clear() {
      windows.clear();
    },
  };
}
