import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('stays within [(1 - jitter) * d, d] with d capped at maxMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, baseMs, maxMs, jitter, r) => {
          const d = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
          const v = backoffDelay(attempt, { baseMs, maxMs, jitter }, r);
          expect(v).toBeGreaterThanOrEqual(Math.floor((1 - jitter) * d) - 1);
          expect(v).toBeLessThanOrEqual(Math.ceil(d));
          expect(Number.isFinite(v)).toBe(true);
        },
      ),
    );
  });

  it('grows exponentially until the cap', () => {
    const opts = { baseMs: 100, maxMs: 1_000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('never overflows for huge attempt numbers', () => {
    expect(backoffDelay(10_000, { baseMs: 500, maxMs: 30_000, jitter: 0 })).toBe(30_000);
  });
});
