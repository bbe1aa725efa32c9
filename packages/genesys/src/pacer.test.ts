import { describe, expect, it } from 'vitest';
import { GenesysError } from './errors.js';
import { createManualClock } from './manual-clock.js';
import { createPacer } from './pacer.js';

const ok = <T>(value: T) => Promise.resolve({ value });

describe('createPacer', () => {
  it('lets a burst through, then spaces calls at the headroom rate', async () => {
    const clock = createManualClock(0);
    // 60/min * 1.0 = one per second; burst 2; no jitter.
    const pacer = createPacer({
      clock,
      random: () => 0,
      options: { ratePerMinute: 60, headroom: 1, burst: 2, jitterMs: 0 },
    });
    const done: number[] = [];
    const calls = [0, 1, 2, 3].map((i) => pacer.run(() => ok(i)).then(() => done.push(clock.now())));
    await clock.advanceAsync(0);
    expect(done).toEqual([0, 0]);
    await clock.advanceAsync(999);
    expect(done).toHaveLength(2);
    await clock.advanceAsync(1);
    expect(done).toEqual([0, 0, 1_000]);
    await clock.advanceAsync(1_000);
    expect(done).toEqual([0, 0, 1_000, 2_000]);
    await Promise.all(calls);
  });

  it('honours Retry-After on 429 and pauses every caller', async () => {
    const clock = createManualClock(0);
    const pacer = createPacer({ clock, random: () => 0, options: { jitterMs: 0, burst: 10 } });
    let tries = 0;
    const first = pacer.run(() => {
      tries++;
      if (tries === 1) {
        return Promise.reject(
          new GenesysError('GENESYS_RATE_LIMITED', '429', { status: 429, retryAfterMs: 5_000 }),
        );
      }
      return ok('a');
    });
    await clock.advanceAsync(0);
    expect(tries).toBe(1);
    let secondAt = -1;
    const second = pacer
      .run(() => ok('b'))
      .then((v) => {
        secondAt = clock.now();
        return v;
      });
    await clock.advanceAsync(4_999);
    expect(tries).toBe(1);
    expect(secondAt).toBe(-1);
    await clock.advanceAsync(1);
    expect(await first).toBe('a');
    expect(await second).toBe('b');
    expect(secondAt).toBe(5_000);
    expect(pacer.stats().rateLimited).toBe(1);
  });

  it('gives up at once when Retry-After exceeds the ceiling', async () => {
    const pacer = createPacer({ clock: createManualClock(), options: { maxRetryAfterMs: 1_000 } });
    const p = pacer.run(() =>
      Promise.reject(new GenesysError('GENESYS_RATE_LIMITED', '429', { status: 429, retryAfterMs: 60_000 })),
    );
    await expect(p).rejects.toMatchObject({ code: 'GENESYS_RATE_LIMITED' });
  });

  it('retries 503 with backoff a bounded number of times, never 400', async () => {
    const clock = createManualClock(0);
    const pacer = createPacer({
      clock,
      random: () => 0,
      options: { jitterMs: 0, maxAttempts: 3, backoff: { baseMs: 100, jitter: 0 } },
    });
    let tries = 0;
    const p = pacer.run(() => {
      tries++;
      return Promise.reject(new GenesysError('GENESYS_UNAVAILABLE', '503', { status: 503 }));
    });
    const settled = p.catch((e: unknown) => e);
    await clock.advanceAsync(0);
    expect(tries).toBe(1);
    await clock.advanceAsync(100);
    expect(tries).toBe(2);
    await clock.advanceAsync(200);
    expect(tries).toBe(3);
    expect(await settled).toMatchObject({ code: 'GENESYS_UNAVAILABLE' });

    let badTries = 0;
    const bad = pacer.run(() => {
      badTries++;
      return Promise.reject(new GenesysError('GENESYS_BAD_REQUEST', '400', { status: 400 }));
    });
    await expect(bad).rejects.toMatchObject({ code: 'GENESYS_BAD_REQUEST' });
    expect(badTries).toBe(1);
  });

  it('retries a 500 like a 503, then succeeds', async () => {
    const clock = createManualClock(0);
    const pacer = createPacer({
      clock,
      random: () => 0,
      options: { jitterMs: 0, maxAttempts: 3, backoff: { baseMs: 100, jitter: 0 } },
    });
    let tries = 0;
    const p = pacer.run(() => {
      tries++;
      if (tries === 1) return Promise.reject(new GenesysError('GENESYS_UNAVAILABLE', '500', { status: 500 }));
      return ok('answered');
    });
    await clock.advanceAsync(0);
    expect(tries).toBe(1);
    await clock.advanceAsync(100);
    expect(tries).toBe(2);
    expect(await p).toBe('answered');
  });

  it('does not repeat a non-idempotent call after a network error', async () => {
    const pacer = createPacer({ clock: createManualClock() });
    let tries = 0;
    const p = pacer.run(
      () => {
        tries++;
        return Promise.reject(new GenesysError('GENESYS_NETWORK', 'reset'));
      },
      { idempotent: false },
    );
    await expect(p).rejects.toMatchObject({ code: 'GENESYS_NETWORK' });
    expect(tries).toBe(1);
  });

  it('pauses until reset when inin-ratelimit headers show the window is nearly used up', async () => {
    const clock = createManualClock(0);
    const pacer = createPacer({ clock, random: () => 0, options: { jitterMs: 0, lowRemaining: 2 } });
    await pacer.run(() =>
      Promise.resolve({ value: 1, rateLimit: { count: 299, allowed: 300, resetMs: 7_000 } }),
    );
    let at = -1;
    const p = pacer
      .run(() => ok(2))
      .then(() => {
        at = clock.now();
      });
    await clock.advanceAsync(6_999);
    expect(at).toBe(-1);
    await clock.advanceAsync(1);
    await p;
    expect(at).toBe(7_000);
  });

  it('close() rejects queued calls with CLOSED', async () => {
    const clock = createManualClock(0);
    const pacer = createPacer({ clock, options: { burst: 1, ratePerMinute: 1, jitterMs: 0 } });
    await pacer.run(() => ok(1));
    const queued = pacer.run(() => ok(2));
    pacer.close();
    pacer.close();
    await expect(queued).rejects.toMatchObject({ code: 'GENESYS_CLOSED' });
  });
});
