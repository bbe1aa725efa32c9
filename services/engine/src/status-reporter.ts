import type { Clock, TimerHandle } from '@lockstep/genesys';
import type { EngineStatus, EngineStatusStore } from '@lockstep/store';
import type { Logger } from 'pino';

export interface StatusReporterDeps {
  readonly store: EngineStatusStore;
  /** The status now (without `at`, which the reporter stamps). */
  readonly status: () => Omit<EngineStatus, 'at'>;
  /** Only the shard lease holder reports: a standby's view says nothing about the shard. */
  readonly canAct: () => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the status is written; it expires after three intervals. Default 5 s. */
  readonly intervalMs?: number;
}

/**
 * Reports the shard holder's status (readiness, agents, Genesys channels connected) to Redis, where the admin API's
 * `/readyz` reads it. A report expires after three missed intervals, so a dead engine stops looking ready.
 */
export interface StatusReporter {
  /** Writes a report now (when holding the lease), then every interval. */
  start(): void;
  /** Stops reporting and, when still holding the lease, removes the report. Idempotent. */
  close(): Promise<void>;
}

export function createStatusReporter(deps: StatusReporterDeps): StatusReporter {
  const { store, clock } = deps;
  const log = deps.logger.child({ component: 'status' });
  const intervalMs = deps.intervalMs ?? 5_000;
  let timer: TimerHandle | undefined;
  let closed = false;
  let reporting: Promise<void> = Promise.resolve();
  let warned = false;

  async function report(): Promise<void> {
    if (!deps.canAct()) return;
    try {
      await store.publish({ ...deps.status(), at: clock.now() }, intervalMs * 3);
      warned = false;
    } catch (err) {
      // Redis being down is reported by /healthz and the Redis watch; one line per outage is enough here.
      if (!warned) log.warn({ err }, 'engine status not reported');
      warned = true;
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      reporting = report().finally(schedule);
    }, intervalMs);
  }

  return {
    start() {
      if (closed || timer !== undefined) return;
      reporting = report();
      schedule();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await reporting;
      if (!deps.canAct()) return;
      await store.clear(deps.status().shard).catch(() => undefined);
    },
  };
}
