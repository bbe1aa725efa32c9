import type { Clock, TimerHandle } from '@lockstep/genesys';
import type { Outbox } from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics.js';

export interface RelayDeps {
  readonly outbox: Outbox;
  readonly metrics: EngineMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Whether this engine may relay now (it holds the lease). */
  readonly active: () => boolean;
  /** How often the sweeper retries agents whose relay failed (and runs a requested full scan). Default 5 s. */
  readonly sweepIntervalMs?: number;
}

/**
 * Relaying: moves the effects a batch committed from the agents' hashes to the outbox streams. A relay that fails
 * leaves the entries pending in the agent hashes; the sweeper retries those agents every `sweepIntervalMs`, so
 * entries never wait for the agent's next effect or a restart. When the lease changes hands, what the previous
 * holder left unrelayed is unknown: `requestFullScan` makes the next sweep scan every agent (O(agents), so only
 * then, never on a timer that would weigh on the hot path).
 */
export interface Relay {
  /** Relays these agents' pending entries now (after their commits). Never throws. */
  relay(agentIds: readonly string[]): Promise<void>;
  /** Agents whose relay failed and waits for the sweeper. */
  readonly unrelayed: number;
  /** Runs one sweep now (tests, or when Redis answers again). */
  sweep(): Promise<void>;
  /** Makes the next sweep also scan every agent for unrelayed entries (after a change of lease holder). */
  requestFullScan(): void;
  start(): void;
  /** Stops the sweeper after the sweep in flight. Idempotent. */
  close(): Promise<void>;
}

export function createRelay(deps: RelayDeps): Relay {
  const { outbox, metrics, clock } = deps;
  const log = deps.logger;
  const intervalMs = deps.sweepIntervalMs ?? 5_000;
  const failed = new Set<string>();
  let timer: TimerHandle | undefined;
  let sweeping: Promise<void> | undefined;
  let scanDue = false;
  let closed = false;

  async function relay(agentIds: readonly string[]): Promise<void> {
    try {
      metrics.outboxRelayed.inc(await outbox.relayMany(agentIds));
      for (const id of agentIds) failed.delete(id);
    } catch (err) {
      // The entries stay pending in the agent hashes; the sweeper publishes them.
      for (const id of agentIds) failed.add(id);
      metrics.outboxRelayErrors.inc();
      log.error({ err, agents: agentIds.length }, 'outbox relay failed: the sweeper retries');
    }
  }

  async function sweepOnce(): Promise<void> {
    if (!deps.active()) return;
    if (failed.size > 0) await relay([...failed]);
    if (!scanDue) return;
    try {
      const relayed = await outbox.relayAllPending();
      scanDue = false;
      metrics.outboxRelayed.inc(relayed);
      if (relayed > 0) log.warn({ relayed }, 'relay sweeper published entries left unrelayed');
    } catch (err) {
      metrics.outboxRelayErrors.inc();
      log.warn({ err }, 'relay sweep failed');
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      sweeping = sweepOnce().finally(() => {
        sweeping = undefined;
        schedule();
      });
    }, intervalMs);
  }

  return {
    relay,
    get unrelayed() {
      return failed.size;
    },
    async sweep() {
      await sweeping;
      await sweepOnce();
    },
    requestFullScan() {
      scanDue = true;
    },
    start() {
      if (timer === undefined && !closed) schedule();
    },
    async close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await sweeping;
    },
  };
}
