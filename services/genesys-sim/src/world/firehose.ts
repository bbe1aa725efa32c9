import type { WorldCore } from './core.js';
import type { Platform } from './platform.js';
import type { PresenceDefinition } from './presence-definitions.js';
import { invalidValue } from './errors.js';
import { SYSTEM_PRESENCE_IDS } from './presence-definitions.js';

/**
 * Largest firehose rate, in events per simulated second (and per wall second under the real clock). Measured on two
 * cores: at 200,000 the simulator still answers within a few seconds, at 1,000,000 it stops answering; the
 * simulator benchmark goes up to 120,000.
 */
export const MAX_FIREHOSE_EVENTS_PER_SECOND = 150_000;

/** Firehose step length in simulated ms: events are produced in batches of this granularity. */
export const FIREHOSE_TICK_MS = 10;

/** A load generator flipping random agents between On Queue and Available at a target event rate. */
export interface Firehose {
  /** Starts, retunes or (with 0) stops the generator. `eventsPerSecond` counts every event the flips cause. */
  set(eventsPerSecond: number): void;
  readonly eventsPerSecond: number;
}

export function createFirehose(core: WorldCore, platform: Platform): Firehose {
  const onQueue: PresenceDefinition = core.definitions.get(SYSTEM_PRESENCE_IDS['On Queue'])!;
  const available: PresenceDefinition = core.definitions.get(SYSTEM_PRESENCE_IDS.Available)!;
  const agents = core.agentList;
  let rate = 0;
  let budget = 0;
  let handle = 0;

  const tick = (): void => {
    handle = 0;
    if (rate <= 0 || agents.length === 0) return;
    budget += (rate * FIREHOSE_TICK_MS) / 1000;
    const before = core.emitted;
    while (core.emitted - before < budget) {
      const a = agents[core.rng.int(0, agents.length - 1)]!;
      platform.setPresence(a, a.presence === onQueue ? available : onQueue, 'firehose');
    }
    // Carry the overshoot of the last flip into the next tick so the long-run rate is exact.
    budget -= core.emitted - before;
    handle = core.scheduler.after(FIREHOSE_TICK_MS, tick);
  };

  return {
    get eventsPerSecond() {
      return rate;
    },
    set(eventsPerSecond) {
      if (!(eventsPerSecond >= 0 && eventsPerSecond <= MAX_FIREHOSE_EVENTS_PER_SECOND)) {
        throw invalidValue('eventsPerSecond', `${eventsPerSecond} (0 to ${MAX_FIREHOSE_EVENTS_PER_SECOND})`);
      }
      rate = eventsPerSecond;
      if (rate > 0 && handle === 0) handle = core.scheduler.after(0, tick);
      if (rate === 0) {
        core.scheduler.cancel(handle);
        handle = 0;
        budget = 0;
      }
    },
  };
}
