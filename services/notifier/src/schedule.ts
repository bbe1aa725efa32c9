/** Longest `Retry-After` honoured; a receiver cannot park a delivery for longer. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * When the next attempt happens after `attemptsDone` failed attempts, or `null` when the schedule is
 * exhausted (the delivery becomes a dead letter). A `Retry-After` (from 429/503) replaces the scheduled
 * delay; scheduled delays get jitter. Pure given `random`.
 */
export function nextAttemptAt(input: {
  readonly now: number;
  readonly attemptsDone: number;
  readonly schedule: readonly number[];
  readonly jitter: number;
  readonly retryAfterMs: number | null;
  readonly random: () => number;
}): number | null {
  const delay = input.schedule[input.attemptsDone];
  if (delay === undefined) return null;
  if (input.retryAfterMs !== null) return input.now + Math.min(input.retryAfterMs, MAX_RETRY_AFTER_MS);
  const factor = 1 + input.jitter * (2 * input.random() - 1);
  return input.now + Math.round(delay * factor);
}

/** Parses `Retry-After` (delay seconds or an HTTP date) into ms from `now`; `null` when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return null;
  return Math.max(0, at - now);
}

/** What an HTTP status means for a delivery: only 2xx succeeds; 410 disables; 3xx and the rest fail. */
export function classifyStatus(status: number): 'delivered' | 'gone' | 'failed' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'failed';
}
