import type { Clock, TimerHandle } from './clock.js';

/** A clock that only moves when told to. For deterministic tests of pacing, backoff and watchdogs. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order (timers scheduled by timers fire too if due). */
  advance(ms: number): void;
  /** Like `advance`, but lets pending promise callbacks run between timers. */
  advanceAsync(ms: number): Promise<void>;
  /** Number of timers not yet fired. */
  pending(): number;
}

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** Creates a manual clock starting at `startMs`. */
export function createManualClock(startMs = 0): ManualClock {
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, Timer>();

  const nextDue = (until: number): Timer | undefined => {
    let best: Timer | undefined;
    for (const t of timers.values()) {
      if (t.at <= until && (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)))
        best = t;
    }
    return best;
  };

  return {
    now: () => now,
    setTimeout(fn, ms): TimerHandle {
      const id = nextId++;
      timers.set(id, { id, at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      if (typeof handle === 'number') timers.delete(handle);
    },
    advance(ms) {
      const until = now + ms;
      for (let t = nextDue(until); t !== undefined; t = nextDue(until)) {
        timers.delete(t.id);
        now = Math.max(now, t.at);
        t.fn();
      }
      now = until;
    },
    async advanceAsync(ms) {
      const until = now + ms;
      await flush();
      for (let t = nextDue(until); t !== undefined; t = nextDue(until)) {
        timers.delete(t.id);
        now = Math.max(now, t.at);
        t.fn();
        await flush();
      }
      now = until;
      await flush();
    },
    pending: () => timers.size,
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
