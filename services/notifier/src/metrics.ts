import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Per-subscription queue figures read at scrape time. */
export interface BacklogReading {
  readonly subscriptionId: string;
  readonly backlog: number;
  readonly oldestAgeSeconds: number;
  readonly deadLetters: number;
}

/** The notifier's Prometheus metrics, on a registry of its own. */
export interface NotifierMetrics {
  readonly registry: Registry;
  readonly deliveries: Counter<'outcome'>;
  readonly attemptSeconds: Histogram<'outcome'>;
  readonly alertsQueued: Counter<'type'>;
  readonly alertsSuppressed: Counter;
  readonly outboxRead: Counter;
}

/**
 * Creates the metrics. `readBacklog` is called on each scrape for the backlog, oldest-undelivered age and
 * dead-letter gauges (labelled by subscription).
 */
export function createNotifierMetrics(
  readBacklog: () => Promise<readonly BacklogReading[]>,
): NotifierMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let cache: Promise<readonly BacklogReading[]> | null = null;
  // The three gauges share one read per scrape.
  const reading = () => (cache ??= readBacklog().finally(() => setTimeout(() => (cache = null), 100)));
  const gauge = (name: string, help: string, pick: (r: BacklogReading) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['subscription'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await reading()) this.set({ subscription: r.subscriptionId }, pick(r));
      },
    });
  gauge(
    'lockstep_webhook_backlog',
    'Alerts queued and not yet delivered, per subscription.',
    (r) => r.backlog,
  );
  gauge(
    'lockstep_webhook_oldest_undelivered_age_seconds',
    'Age of the oldest undelivered alert, per subscription (0 when none).',
    (r) => r.oldestAgeSeconds,
  );
  gauge('lockstep_webhook_dead_letters', 'Dead letters, per subscription.', (r) => r.deadLetters);
  return {
    registry,
    deliveries: new Counter({
      name: 'lockstep_webhook_attempts_total',
      help: 'Delivery attempts by outcome: delivered, retry, dead, gone (410), refused (SSRF guard).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attemptSeconds: new Histogram({
      name: 'lockstep_webhook_attempt_duration_seconds',
      help: 'Duration of one delivery attempt, request to end of response.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    alertsQueued: new Counter({
      name: 'lockstep_webhook_alerts_queued_total',
      help: 'Alerts queued for delivery (one per matching subscription), by type.',
      labelNames: ['type'],
      registers: [registry],
    }),
    alertsSuppressed: new Counter({
      name: 'lockstep_webhook_alerts_suppressed_total',
      help: 'Alerts held back by the per-subscription cap (filed as dead letters, recoverable).',
      registers: [registry],
    }),
    outboxRead: new Counter({
      name: 'lockstep_notifier_outbox_entries_total',
      help: 'Outbox entries read by this notifier.',
      registers: [registry],
    }),
  };
}
