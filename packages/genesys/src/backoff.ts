/** Capped exponential backoff with jitter, as a pure function of the attempt number and a random draw. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 500 ms. */
  readonly baseMs?: number;
  /** Upper bound of any delay. Default 30 s. */
  readonly maxMs?: number;
  /** Growth factor per attempt. Default 2. */
  readonly factor?: number;
  /**
   * Share of the delay that is randomised: 0 = none, 1 = "full jitter" (uniform in [0, delay]).
   * Default 0.5 ("equal jitter": uniform in [delay/2, delay]).
   */
  readonly jitter?: number;
}

/**
 * Delay for retry number `attempt` (1 = first retry). Pure: `random` is a draw in [0, 1).
 * The result always lies in `[(1 - jitter) * d, d]` where `d = min(maxMs, baseMs * factor^(attempt-1))`.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = {},
  random: number = Math.random(),
): number {
  const baseMs = opts.baseMs ?? 500;
  const maxMs = opts.maxMs ?? 30_000;
  const factor = opts.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  const exp = Math.max(0, attempt - 1);
  // Cap the exponent so that huge attempt numbers never overflow to Infinity/NaN.
  const raw = baseMs * factor ** Math.min(exp, 64);
  const capped = Math.min(maxMs, Number.isFinite(raw) ? raw : maxMs);
  const r = Math.min(1, Math.max(0, random));
  return Math.round(capped * (1 - jitter) + capped * jitter * r);
}
