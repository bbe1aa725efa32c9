/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Pause between attempts. Default 50 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the failure message. */
  readonly what: string;
  /** Called once on timeout; its text (e.g. engine view vs ground truth) is appended to the error. */
  readonly explain?: () => Promise<string> | string;
}

/**
 * Calls `check` until it returns a value other than `undefined`/`false`, and returns that value. Throws an error
 * naming `what` and carrying `explain()` when the deadline passes. Never sleeps past the deadline.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: PollOptions,
): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
  }
  let detail = '';
  if (options.explain) {
    try {
      detail = `\n${await options.explain()}`;
    } catch (err) {
      detail = `\n(explaining failed: ${err instanceof Error ? err.message : String(err)})`;
    }
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${detail}`);
}
