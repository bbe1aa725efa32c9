import type { Scheduler } from './scheduler.js';

/**
 * Drives a scheduler. `virtual`: only `advance` moves time. `real`: simulated time runs at `speed` × real time;
 * one timer waits for the next due step and every due step runs in one batch.
 */
export interface ClockDriver {
  start(): void;
  stop(): void;
  advance(ms: number): void;
  /** Real clock: runs every step due by now (called before reads and writes so state is current). */
  catchUp(): void;
  /** Tells the driver a step was scheduled at simulated instant `at` (re-arms the timer when earlier). */
  scheduled(at: number): void;
}

export function createClockDriver(
  scheduler: Scheduler,
  mode: 'real' | 'virtual',
  speed: number,
): ClockDriver {
  let running = false;
  let inRun = false;
  let realBase = 0;
  let simBase = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let armedAt = Number.POSITIVE_INFINITY;

  const liveSim = (): number => simBase + (Date.now() - realBase) * speed;
  const run = (until: number): void => {
    if (inRun) return;
    inRun = true;
    try {
      scheduler.runUntil(until);
    } finally {
      inRun = false;
    }
  };
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    armedAt = Number.POSITIVE_INFINITY;
    if (!running) return;
    const next = scheduler.nextAt();
    if (next === undefined) return;
    armedAt = next;
    const delay = Math.min(2_147_483_647, Math.max(0, (next - liveSim()) / speed));
    timer = setTimeout(fire, delay);
    timer.unref?.();
  };
  const fire = (): void => {
    timer = undefined;
    run(liveSim());
    arm();
  };

  return {
    start() {
      if (mode !== 'real' || running) return;
      running = true;
      realBase = Date.now();
      simBase = scheduler.now;
      arm();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      armedAt = Number.POSITIVE_INFINITY;
    },
    advance(ms) {
      if (running) {
        simBase += ms;
        run(liveSim());
        arm();
        return;
      }
      run(scheduler.now + Math.max(0, ms));
    },
    catchUp() {
      if (!running || inRun) return;
      run(liveSim());
      arm();
    },
    scheduled(at) {
      if (running && !inRun && at < armedAt) arm();
    },
  };
}
