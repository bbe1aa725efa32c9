import { describe, expect, it } from 'vitest';
import { classifyStatus, MAX_RETRY_AFTER_MS, nextAttemptAt, parseRetryAfter } from './schedule.js';

const schedule = [0, 5_000, 300_000];
const base = { now: 1_000, schedule, jitter: 0.2, retryAfterMs: null, random: () => 0.5 };

describe('nextAttemptAt', () => {
  it('follows the schedule and ends with null when it is exhausted', () => {
    expect(nextAttemptAt({ ...base, attemptsDone: 1 })).toBe(6_000);
    expect(nextAttemptAt({ ...base, attemptsDone: 2 })).toBe(301_000);
    expect(nextAttemptAt({ ...base, attemptsDone: 3 })).toBeNull();
  });

  it('applies jitter within ±jitter', () => {
    expect(nextAttemptAt({ ...base, attemptsDone: 2, random: () => 0 })).toBe(1_000 + 240_000);
    expect(nextAttemptAt({ ...base, attemptsDone: 2, random: () => 1 })).toBe(1_000 + 360_000);
  });

  it('honours Retry-After, capped, but still ends with the schedule', () => {
    expect(nextAttemptAt({ ...base, attemptsDone: 1, retryAfterMs: 42_000 })).toBe(43_000);
    expect(nextAttemptAt({ ...base, attemptsDone: 1, retryAfterMs: 10 * MAX_RETRY_AFTER_MS })).toBe(
      1_000 + MAX_RETRY_AFTER_MS,
    );
    expect(nextAttemptAt({ ...base, attemptsDone: 3, retryAfterMs: 1_000 })).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, refuses junk', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [301, 'failed'],
    [302, 'failed'],
    [304, 'failed'],
    [400, 'failed'],
    [410, 'gone'],
    [429, 'failed'],
    [503, 'failed'],
  ] as const)('%i is %s', (status, outcome) => {
    expect(classifyStatus(status)).toBe(outcome);
  });
});
