/** A step run by the scheduler at its simulated instant. */
export type Step = () => void;

/**
 * Discrete-event scheduler over simulated time (ms since the scenario start). Steps due at the same instant run
 * in the order they were scheduled, so a run is fully deterministic.
 */
export interface Scheduler {
  /** Simulated ms since the scenario start. */
  readonly now: number;
  /** Schedules `step` at simulated instant `at` (clamped to now). Returns a handle for `cancel`. */
  at(at: number, step: Step): number;
  /** Schedules `step` `delayMs` after now. */
  after(delayMs: number, step: Step): number;
  /** Cancels a scheduled step; a no-op when it already ran. */
  cancel(handle: number): void;
  /** Instant of the earliest pending step, or undefined. */
  nextAt(): number | undefined;
  /** Runs every step due at or before `until`, then moves now to `until` (never backwards). */
  runUntil(until: number): void;
  /** Moves now forward without running anything (used by the real clock between steps). */
  setNow(now: number): void;
  /** Number of pending steps. */
  readonly size: number;
}

/**
 * Creates an empty scheduler at simulated time 0. The heap is ordered by (time, sequence). `onScheduled` is told
 * about every newly scheduled instant (the real clock uses it to re-arm its timer).
 */
export function createScheduler(onScheduled?: (at: number) => void): Scheduler {
  const times: number[] = [];
  const seqs: number[] = [];
  const steps: Step[] = [];
  const cancelled = new Set<number>();
  const live = new Set<number>();
  let seq = 0;
  let now = 0;

  const less = (i: number, j: number): boolean =>
    times[i]! < times[j]! || (times[i] === times[j] && seqs[i]! < seqs[j]!);
  const swap = (i: number, j: number): void => {
    const t = times[i]!;
    times[i] = times[j]!;
    times[j] = t;
    const s = seqs[i]!;
    seqs[i] = seqs[j]!;
    seqs[j] = s;
    const f = steps[i]!;
    steps[i] = steps[j]!;
    steps[j] = f;
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    const n = times.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && less(l, m)) m = l;
      if (r < n && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  const pop = (): void => {
    const last = times.length - 1;
    swap(0, last);
    times.pop();
    seqs.pop();
    steps.pop();
    if (times.length > 0) down(0);
  };
  const skipCancelled = (): void => {
    while (times.length > 0 && cancelled.size > 0 && cancelled.has(seqs[0]!)) {
      cancelled.delete(seqs[0]!);
      live.delete(seqs[0]!);
      pop();
    }
  };

  const scheduler: Scheduler = {
    get now() {
      return now;
    },
    get size() {
      return live.size - cancelled.size;
    },
    at(at, step) {
      const id = ++seq;
      const when = Math.max(at, now);
      times.push(when);
      seqs.push(id);
      steps.push(step);
      live.add(id);
      up(times.length - 1);
      onScheduled?.(when);
      return id;
    },
    after(delayMs, step) {
      return scheduler.at(now + Math.max(0, delayMs), step);
    },
    cancel(handle) {
      if (live.has(handle)) cancelled.add(handle);
    },
    nextAt() {
      skipCancelled();
      return times.length > 0 ? times[0] : undefined;
    },
    runUntil(until) {
      for (;;) {
        skipCancelled();
        if (times.length === 0 || times[0]! > until) break;
        const t = times[0]!;
        const step = steps[0]!;
        live.delete(seqs[0]!);
        pop();
        if (t > now) now = t;
        step();
      }
      if (until > now) now = until;
    },
    setNow(value) {
      if (value > now) now = value;
    },
  };
  return scheduler;
}
