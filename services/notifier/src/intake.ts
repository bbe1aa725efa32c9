import type { Lease, Leases, Outbox, OutboxMessage } from '@lockstep/store';
import {
  type Alert,
  buildCorrectionAlert,
  buildDeclarationAlert,
  buildFindingAlert,
  buildIncidentAlert,
  isIncidentEffect,
  type SubscriptionStore,
  UNKNOWN_PROFILE,
} from '@lockstep/webhooks';
import type { Logger } from 'pino';
import type { AgentDirectory } from './directory.js';
import type { Fanout } from './fanout.js';
import { createIncidentCoverage } from './incident-coverage.js';
import type { NotifierMetrics } from './metrics.js';

/** Name of the lease that elects the one notifier replica reading the outbox. */
export const INTAKE_LEASE = 'notifier-intake';
const LEASE_TTL_MS = 10_000;
const LEASE_MARGIN_MS = 2_000;
const LEASE_REFRESH_MS = 3_000;

/** Reads the outbox under a lease and queues alerts; acks only what is queued. */
export interface Intake {
  start(): void;
  /** Whether this replica currently reads the outbox. */
  leading(): boolean;
  /** Stops reading (the in-flight batch finishes first) and releases the lease. Idempotent. */
  close(): Promise<void>;
}

/**
 * The intake: exactly one replica (the lease holder) reads the outbox, in stream order, so the alerts of an
 * agent enter its delivery lanes in commit order; the other replicas only deliver. A new holder first takes
 * over what a dead reader left unacknowledged (XAUTOCLAIM), then reads new entries. Queueing is idempotent on
 * the alert id, so a re-read entry is never queued twice.
 */
export function createIntake(deps: {
  readonly outbox: Outbox;
  /** Creates the consumer group when missing (see `ensureNotifierGroup`). */
  readonly ensureGroup: () => Promise<void>;
  readonly leases: Leases;
  readonly consumer: string;
  readonly fanout: Fanout;
  readonly subscriptions: SubscriptionStore;
  readonly directory: AgentDirectory;
  readonly apiBaseUrl: string;
  readonly claimIdleMs: number;
  readonly metrics: NotifierMetrics;
  readonly logger: Logger;
  /** Called after a batch queued alerts (the local dispatcher polls at once). */
  readonly onQueued?: () => void;
  /** The stored open incidents, read when the lease is taken (subscriptions' `muteIncidentAgents`). */
  readonly openIncidents?: () => Promise<readonly unknown[]>;
}): Intake {
  const log = deps.logger.child({ component: 'intake' });
  let closed = false;
  let heldUntil = 0;
  let acquiredAt = 0;
  let lastClaim = 0;
  let takeover = false;
  let held: Lease | null = null;
  let unfinished: OutboxMessage[] | null = null;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  // Which agents open incidents cover (rebuilt from the store at each takeover, then kept from the outbox).
  let coverage = createIncidentCoverage();

  async function handle(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    deps.metrics.outboxRead.inc(messages.length);
    const records = await deps.subscriptions.listRecords();
    await deps.directory.prefetch?.(
      messages.flatMap((m) => (m.malformed === undefined && !isIncidentEffect(m.effect) ? [m.agentId] : [])),
    );
    // One by one, in stream order: an agent's alerts must enter its lanes in commit order.
    for (const m of messages) {
      if (m.malformed !== undefined) {
        log.warn({ entry: m.streamId, problem: m.malformed }, 'outbox entry cannot be decoded: skipped');
        continue;
      }
      // Incident changes concern a group, not one agent: one alert per change, no profile.
      const incident = isIncidentEffect(m.effect);
      const profile = incident ? UNKNOWN_PROFILE : await deps.directory.profile(m.agentId);
      let alert: Alert | null;
      try {
        alert = incident
          ? buildIncidentAlert(m, { apiBaseUrl: deps.apiBaseUrl })
          : (buildFindingAlert(m, profile, { apiBaseUrl: deps.apiBaseUrl }) ??
            buildCorrectionAlert(m, profile, { apiBaseUrl: deps.apiBaseUrl }) ??
            buildDeclarationAlert(m, profile, { apiBaseUrl: deps.apiBaseUrl }));
      } catch (err) {
        // An entry that cannot make a payload (over 20 KB even when cut) must not stop the intake.
        log.error(
          { err, entry: m.streamId, id: m.id },
          'outbox entry cannot be turned into an alert: skipped',
        );
        continue;
      }
      if (alert === null) continue;
      if (incident) coverage.apply(m.effect);
      const covered = !incident && alert.ruleId !== null && coverage.covers(alert.ruleId, m.agentId);
      const n = await deps.fanout.publish(alert, profile, records, undefined, covered);
      log.debug(
        { alertId: alert.id, type: alert.type, agentId: m.agentId, subscriptions: n },
        'alert queued',
      );
    }
    await deps.outbox.ack(messages);
    deps.onQueued?.();
  }

  async function holdLease(): Promise<boolean> {
    const started = Date.now();
    if (started < heldUntil && started - acquiredAt < LEASE_REFRESH_MS) return true;
    const lease = await deps.leases.acquireLease(INTAKE_LEASE, deps.consumer, LEASE_TTL_MS);
    held = lease;
    if (lease === null) {
      if (heldUntil > 0) log.info('outbox intake lease lost');
      heldUntil = 0;
      // The new holder takes these entries over (XAUTOCLAIM); queueing them here later could break order.
      unfinished = null;
      return false;
    }
    if (heldUntil === 0) {
      log.info('outbox intake lease acquired: reading the outbox');
      takeover = true;
    }
    // A local deadline: stop reading before the lease could have expired in Redis.
    heldUntil = started + LEASE_TTL_MS - LEASE_MARGIN_MS;
    acquiredAt = started;
    return true;
  }

  async function run(): Promise<void> {
    let grouped = false;
    while (!closed) {
      try {
        if (!grouped) {
          await deps.ensureGroup();
          grouped = true;
        }
        if (!(await holdLease())) {
          await sleep(LEASE_TTL_MS / 4);
          continue;
        }
        if (unfinished !== null) {
          // A batch that failed half-way is finished before anything newer is read, to keep agents' order.
          await handle(unfinished);
          unfinished = null;
        }
        if (takeover && deps.openIncidents !== undefined) {
          coverage = createIncidentCoverage();
          coverage.load(await deps.openIncidents());
        }
        if (takeover || Date.now() - lastClaim >= deps.claimIdleMs / 2) {
          // Entries a dead reader left unacknowledged come first: they are older than anything unread. At a
          // takeover, the previous holder read nothing for at least the lease margin (its local deadline).
          const minIdle = takeover ? LEASE_MARGIN_MS : deps.claimIdleMs;
          takeover = false;
          lastClaim = Date.now();
          let claimed: OutboxMessage[];
          do {
            claimed = await deps.outbox.claimStale(deps.consumer, minIdle, 100);
            claimed.sort((a, b) => a.shard - b.shard || compareIds(a.streamId, b.streamId));
            unfinished = claimed;
            await handle(claimed);
            unfinished = null;
          } while (claimed.length === 100 && !closed);
        }
        if (Date.now() >= heldUntil) continue;
        const messages = await deps.outbox.readGroup(deps.consumer, 200, 500);
        unfinished = messages;
        await handle(messages);
        unfinished = null;
      } catch (err) {
        log.warn({ err }, 'outbox intake failed; retrying');
        await sleep(1_000);
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    leading: () => Date.now() < heldUntil,
    async close() {
      closed = true;
      wake?.();
      await loop;
      // Hand the outbox to another replica at once rather than after the lease TTL.
      if (held !== null) await deps.leases.releaseLease(held).catch(() => false);
      held = null;
      heldUntil = 0;
    },
  };
}

/** Orders Redis stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
