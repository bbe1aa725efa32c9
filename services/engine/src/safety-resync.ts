import type { Clock } from '@lockstep/genesys';

export interface SafetyResyncDeps {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Re-reads every tracked agent (whatever the gap detection saw). */
  readonly resyncAll: () => void;
}

/** Re-reads every tracked agent every `intervalMs`, even when no gap was detected. */
export interface SafetyResync {
  start(): void;
  /** Idempotent. */
  stop(): void;
}

export function createSafetyResync(deps: SafetyResyncDeps): SafetyResync {
  let timer: unknown;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = deps.clock.setTimeout(() => {
      deps.resyncAll();
      schedule();
    }, deps.intervalMs);
  };
  return {
    start: schedule,
    stop() {
      stopped = true;
      if (timer !== undefined) deps.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
