import { type BackoffOptions, backoffDelay } from './backoff.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { GenesysError } from './errors.js';

/** Rate-limit headers of one response (`inin-ratelimit-*`), already parsed. */
export interface RateLimitInfo {
  readonly count?: number;
  readonly allowed?: number;
  /** Milliseconds until the window resets. */
  readonly resetMs?: number;
}

/** What a paced task resolves with: the value plus the response's rate-limit headers. */
export interface PacedResult<T> {
  readonly value: T;
  readonly rateLimit?: RateLimitInfo;
  /** The answer's HTTP status and `inin-correlation-id`, when the SDK showed the response. */
  readonly status?: number;
  readonly correlationId?: string;
}

export interface PacerOptions {
  /** The platform's per-token limit. Default 300 requests per minute (reference §5.2). */
  readonly ratePerMinute?: number;
  /** Share of the limit we allow ourselves. Default 0.8 (240/min under a 300/min limit). */
  readonly headroom?: number;
  /** Bucket capacity: how many requests may leave back to back. Default 10. */
  readonly burst?: number;
  /** Random extra wait (0..jitterMs) added whenever a request has to wait. Default 50 ms. */
  readonly jitterMs?: number;
  /** Total tries per call, first one included. Default 4. */
  readonly maxAttempts?: number;
  /** Backoff for 500/502/503/504 and network errors. */
  readonly backoff?: BackoffOptions;
  /** Wait used on a 429 without Retry-After. Default 3 s (as the Genesys Java/.NET SDKs). */
  readonly defaultRetryAfterMs?: number;
  /** A 429 asking to wait longer than this fails at once with RATE_LIMITED. Default 180 s. */
  readonly maxRetryAfterMs?: number;
  /**
   * When `inin-ratelimit-allowed - inin-ratelimit-count` falls to this many requests or fewer, pause until the
   * window resets. Default 2.
   */
  readonly lowRemaining?: number;
}

export interface RunOptions {
  /** Safe to repeat after a network error (no response). Default true; false for channel creation. */
  readonly idempotent?: boolean;
}

export interface PacerStats {
  readonly queued: number;
  readonly tokens: number;
  readonly pausedUntil: number;
  readonly calls: number;
  readonly retries: number;
  readonly rateLimited: number;
}

/** Every REST call of the adapter goes through one pacer per access token. */
export interface Pacer {
  /**
   * Runs `task` when the bucket allows, retrying 429 (after Retry-After, pausing every caller of this pacer),
   * 500/502/503/504 and, for idempotent calls, network errors, with capped exponential backoff and jitter, at most
   * `maxAttempts` tries. Rejects with the last `GenesysError`.
   */
  run<T>(task: () => Promise<PacedResult<T>>, opts?: RunOptions): Promise<T>;
  /** Holds every caller until `clock.now() + ms` (used on a 429 seen outside `run`). */
  pause(ms: number): void;
  stats(): PacerStats;
  /** Rejects queued and future calls with CLOSED. Idempotent. */
  close(): void;
}

export interface CreatePacerDeps {
  readonly clock?: Clock;
  /** Random source in [0, 1); injectable for tests. */
  readonly random?: () => number;
  readonly options?: PacerOptions;
}

// A 500 is as transient as a 503 on this platform (seen during outages): retried the same way.
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/** Creates a token-bucket pacer. */
export function createPacer(deps: CreatePacerDeps = {}): Pacer {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const o = deps.options ?? {};
  const ratePerMinute = o.ratePerMinute ?? 300;
  const headroom = o.headroom ?? 0.8;
  if (!(ratePerMinute > 0) || !(headroom > 0 && headroom <= 1)) {
    throw new GenesysError(
      'GENESYS_INVALID_OPTIONS',
      'pacer: ratePerMinute must be > 0 and headroom in (0, 1]',
    );
  }
  const burst = Math.max(1, o.burst ?? 10);
  const jitterMs = Math.max(0, o.jitterMs ?? 50);
  const maxAttempts = Math.max(1, o.maxAttempts ?? 4);
  const defaultRetryAfterMs = o.defaultRetryAfterMs ?? 3_000;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? 180_000;
  const lowRemaining = o.lowRemaining ?? 2;
  const ratePerMs = (ratePerMinute * headroom) / 60_000;

  let tokens = burst;
  let lastRefill = clock.now();
  let pausedUntil = 0;
  let timer: unknown;
  let closed = false;
  const queue: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const counters = { calls: 0, retries: 0, rateLimited: 0 };

  const refill = (now: number) => {
    if (now > lastRefill) {
      tokens = Math.min(burst, tokens + (now - lastRefill) * ratePerMs);
      lastRefill = now;
    }
  };

  const schedule = (ms: number) => {
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        pump();
      },
      ms + Math.floor(random() * jitterMs),
    );
  };

  const pump = () => {
    if (timer !== undefined) return;
    while (queue.length > 0) {
      const now = clock.now();
      refill(now);
      if (now < pausedUntil) return schedule(pausedUntil - now);
      if (tokens < 1) return schedule(Math.ceil((1 - tokens) / ratePerMs));
      tokens -= 1;
      queue.shift()?.resolve();
    }
  };

  const acquire = () =>
    new Promise<void>((resolve, reject) => {
      if (closed) return reject(new GenesysError('GENESYS_CLOSED', 'pacer closed'));
      queue.push({ resolve, reject });
      pump();
    });

  const pause = (ms: number) => {
    const until = clock.now() + Math.max(0, ms);
    if (until > pausedUntil) pausedUntil = until;
    tokens = Math.min(tokens, 0);
    // A pending timer may be due earlier; it reschedules against the new pause when it fires.
    pump();
  };

  const observe = (rl: RateLimitInfo | undefined) => {
    if (rl?.allowed === undefined || rl.count === undefined || rl.resetMs === undefined) return;
    if (rl.allowed - rl.count <= lowRemaining) pause(rl.resetMs);
  };

  return {
    async run<T>(task: () => Promise<PacedResult<T>>, opts: RunOptions = {}): Promise<T> {
      const idempotent = opts.idempotent ?? true;
      for (let attempt = 1; ; attempt++) {
        await acquire();
        counters.calls++;
        let err: GenesysError;
        try {
          const r = await task();
          observe(r.rateLimit);
          return r.value;
        } catch (e) {
          // Unknown rejections are not kept as `cause`: they may hold request headers (the bearer token).
          err =
            e instanceof GenesysError
              ? e
              : new GenesysError('GENESYS_NETWORK', 'request failed without a response');
        }
        if (closed) throw err;
        let delayMs: number;
        if (err.code === 'GENESYS_RATE_LIMITED') {
          counters.rateLimited++;
          const wait = err.details.retryAfterMs ?? defaultRetryAfterMs;
          if (wait > maxRetryAfterMs) throw err;
          pause(wait);
          delayMs = 0;
        } else if (
          (err.code === 'GENESYS_UNAVAILABLE' && RETRYABLE_STATUS.has(err.status ?? 0)) ||
          (err.code === 'GENESYS_NETWORK' && idempotent)
        ) {
          delayMs = backoffDelay(attempt, o.backoff, random());
        } else {
          throw err;
        }
        if (attempt >= maxAttempts) throw err;
        counters.retries++;
        if (delayMs > 0) await sleep(clock, delayMs);
      }
    },
    pause,
    stats: () => {
      refill(clock.now());
      return { queued: queue.length, tokens, pausedUntil, ...counters };
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      for (const w of queue.splice(0)) w.reject(new GenesysError('GENESYS_CLOSED', 'pacer closed'));
    },
  };
}
