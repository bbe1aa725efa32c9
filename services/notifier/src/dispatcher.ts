import { randomUUID } from 'node:crypto';
import {
  buildSystemAlert,
  type ClaimedDelivery,
  type DeliveryQueue,
  type LookupAll,
  resolveTarget,
  signDelivery,
  signingSecrets,
  type SsrfPolicy,
  type SubscriptionRecord,
  type SubscriptionStore,
  UNKNOWN_PROFILE,
  UrlRefusedError,
} from '@lockstep/webhooks';
import type { Logger } from 'pino';
import type { Fanout } from './fanout.js';
import type { NotifierMetrics } from './metrics.js';
import { classifyStatus, nextAttemptAt, parseRetryAfter } from './schedule.js';
import type { Sender, SendResult } from './sender.js';

export interface DispatcherSettings {
  readonly retrySchedule: readonly number[];
  readonly retryJitter: number;
  readonly timeoutMs: number;
  readonly disableAfterMs: number;
  readonly concurrency: number;
  readonly pollMs: number;
  readonly ssrf: SsrfPolicy;
}

/** Delivers due alerts: claims lanes, sends, records outcomes. Several replicas run one each. */
export interface Dispatcher {
  start(): void;
  /** Polls now rather than at the next tick (the intake calls it after queueing alerts). */
  wake(): void;
  /** Attempts in flight now. */
  inFlight(): number;
  /**
   * Stops claiming and waits for the attempts in flight, at most `graceMs` (default: until each ends, bounded by
   * the request timeout). Attempts still running then are abandoned: their outcome is not recorded, so the
   * delivery stays pending and is retried, here or by another replica, once its lane lock expires. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The delivery loop. Each poll lists the enabled subscriptions, claims due lanes up to the free concurrency
 * (a claim locks the lane for the request timeout plus a margin, so no other replica sends the same alert
 * meanwhile), signs with every current secret, sends to the address the SSRF guard checked, and records
 * the outcome: 2xx delivered; 410 disables the subscription; anything else is retried on the schedule
 * (`Retry-After` honoured on 429 and 503) until it is exhausted and the alert becomes a dead letter. A
 * subscription that has failed every attempt for `disableAfterMs` is disabled; either way the other
 * subscriptions get a `subscription.disabled` alert.
 */
export function createDispatcher(deps: {
  readonly subscriptions: SubscriptionStore;
  readonly deliveries: DeliveryQueue;
  readonly fanout: Fanout;
  readonly sender: Sender;
  readonly lookup: LookupAll;
  readonly settings: DispatcherSettings;
  readonly metrics: NotifierMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}): Dispatcher {
  const { settings, deliveries, metrics } = deps;
  const log = deps.logger.child({ component: 'dispatcher' });
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  // The lane lock outlives any attempt (each is cut at the timeout), with room for recording the outcome.
  // DNS gets half the timeout, so resolution plus request stay well inside the lock.
  const dnsTimeoutMs = Math.max(50, Math.floor(settings.timeoutMs / 2));
  const lockMs = settings.timeoutMs * 2 + 1_000;
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  // Set when shutdown gave up waiting: late outcomes are not recorded (the lane lock expires instead).
  let abandoned = false;
  let loop: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  let lastStormFlush = 0;
  let pollCount = 0;
  // Set when woken during a poll: poll again at once instead of sleeping.
  let again = false;

  async function disable(sub: SubscriptionRecord, reason: string): Promise<void> {
    if (!(await deps.subscriptions.disable(sub.id, reason))) return;
    log.warn({ subscriptionId: sub.id, reason }, 'subscription disabled');
    const alert = buildSystemAlert('subscription.disabled', `disabled:${sub.id}:${now()}`, now(), {
      subscriptionId: sub.id,
      // Only the origin: a webhook URL's path or query often is a credential of its own.
      origin: new URL(sub.url).origin,
      reason,
    });
    await deps.fanout.publish(alert, UNKNOWN_PROFILE, await deps.subscriptions.listRecords(), sub.id);
  }

  async function attempt(listed: SubscriptionRecord, claimed: ClaimedDelivery): Promise<void> {
    const { record } = claimed;
    // Re-read at attempt time: the listing is cached, and a changed URL or a rotated secret applies at once.
    const sub = await deps.subscriptions.getRecord(listed.id);
    if (sub === null || !sub.enabled) {
      // Deleted or disabled meanwhile: no attempt; the lane lock expires and the lane waits for re-enabling.
      log.info(
        { subscriptionId: listed.id, alertId: record.alertId },
        'subscription gone or disabled: attempt skipped',
      );
      return;
    }
    const attemptNo = record.attempts + 1;
    const startedAt = now();
    let result: SendResult;
    let refused = false;
    try {
      const target = await withDeadline(
        resolveTarget(sub.url, settings.ssrf, deps.lookup),
        dnsTimeoutMs,
        `host of ${sub.url} did not resolve within ${dnsTimeoutMs} ms`,
      );
      const headers = signDelivery(
        signingSecrets(sub, startedAt),
        record.alertId,
        Math.floor(startedAt / 1000),
        record.body,
      );
      result = await deps.sender.send(target, { ...headers }, record.body);
    } catch (err) {
      if (err instanceof DeadlineError) {
        result = { status: 0, error: 'dns-timeout', latencyMs: 0, excerpt: '', retryAfter: undefined };
      } else {
        if (!(err instanceof UrlRefusedError)) throw err;
        refused = true;
        result = {
          status: 0,
          error: `refused: ${err.reason}`,
          latencyMs: 0,
          excerpt: '',
          retryAfter: undefined,
        };
      }
    }
    if (abandoned) {
      log.info(
        { subscriptionId: sub.id, alertId: record.alertId },
        'attempt abandoned at shutdown: left pending',
      );
      return;
    }
    const verdict = result.status === 0 ? 'failed' : classifyStatus(result.status);
    let outcome: 'delivered' | 'retry' | 'dead';
    let next = 0;
    if (verdict === 'delivered') outcome = 'delivered';
    else if (verdict === 'gone') outcome = 'dead';
    else {
      const retryAfterMs =
        result.status === 429 || result.status === 503 ? parseRetryAfter(result.retryAfter, now()) : null;
      const at = nextAttemptAt({
        now: now(),
        attemptsDone: attemptNo,
        schedule: settings.retrySchedule,
        jitter: settings.retryJitter,
        retryAfterMs,
        random,
      });
      outcome = at === null ? 'dead' : 'retry';
      next = at ?? 0;
    }
    const label = refused ? 'refused' : verdict === 'gone' ? 'gone' : outcome;
    metrics.deliveries.inc({ outcome: label });
    metrics.attemptSeconds.observe({ outcome: label }, result.latencyMs / 1000);
    const finished = await deliveries.finish(claimed, {
      outcome,
      nextAttemptAt: next,
      log: {
        alertId: record.alertId,
        type: record.type,
        at: startedAt,
        attempt: attemptNo,
        status: result.status,
        error: result.error,
        latencyMs: result.latencyMs,
        outcome,
        excerpt: result.excerpt,
      },
    });
    const fields = {
      subscriptionId: sub.id,
      alertId: record.alertId,
      attempt: attemptNo,
      status: result.status,
      error: result.error,
      outcome,
    };
    if (finished === null) log.warn(fields, 'lane lock lost during the attempt: outcome not recorded');
    else if (outcome === 'delivered') log.debug(fields, 'alert delivered');
    else log.info(fields, outcome === 'dead' ? 'alert moved to the dead letters' : 'delivery attempt failed');
    if (verdict === 'gone') await disable(sub, 'the receiver answered 410 Gone');
    else if (
      finished !== null &&
      finished.failingSince > 0 &&
      now() - finished.failingSince >= settings.disableAfterMs
    ) {
      await disable(sub, `every attempt failed since ${new Date(finished.failingSince).toISOString()}`);
    }
  }

  function track(p: Promise<void>): void {
    const tracked = p
      .catch((err: unknown) =>
        log.error({ err }, 'delivery attempt crashed; the lane lock expires and it is retried'),
      )
      .finally(() => {
        inFlight.delete(tracked);
        again = true;
        wake?.();
      });
    inFlight.add(tracked);
  }

  async function poll(): Promise<void> {
    const subs = (await deps.fanout.subscriptions()).filter((s) => s.enabled);
    if (now() - lastStormFlush >= 5_000) {
      lastStormFlush = now();
      await deps.fanout.flushStorms(subs.map((s) => s.id));
    }
    // Start at a different subscription each poll, so one busy subscription cannot starve the others.
    const offset = subs.length === 0 ? 0 : pollCount++ % subs.length;
    for (const sub of [...subs.slice(offset), ...subs.slice(0, offset)]) {
      const free = settings.concurrency - inFlight.size;
      if (free <= 0 || closed) return;
      const claimed = await deliveries.claimDue(sub.id, randomUUID(), lockMs, free);
      for (const c of claimed) track(attempt(sub, c));
    }
  }

  async function run(): Promise<void> {
    while (!closed) {
      again = false;
      try {
        await poll();
      } catch (err) {
        log.warn({ err }, 'delivery poll failed; retrying');
      }
      if (closed) break;
      if (again) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, settings.pollMs);
      });
      if (timer) clearTimeout(timer);
      wake = null;
    }
  }

  return {
    start() {
      loop ??= run();
    },
    wake() {
      again = true;
      wake?.();
    },
    inFlight: () => inFlight.size,
    async close(graceMs = Number.POSITIVE_INFINITY) {
      closed = true;
      wake?.();
      await loop;
      const all = Promise.all([...inFlight]).then(() => true);
      if (!Number.isFinite(graceMs)) {
        await all;
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([
        all,
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!done) {
        abandoned = true;
        log.warn(
          { attempts: inFlight.size, graceMs },
          'shutting down: attempts in flight abandoned; their deliveries stay pending and are retried',
        );
      }
    },
  };
}

class DeadlineError extends Error {}

/** Rejects with `DeadlineError` when `promise` takes longer than `ms`. */
function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
