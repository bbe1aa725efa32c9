import type { RedisClient } from '@lockstep/store';
import {
  type AgentProfile,
  type Alert,
  buildSystemAlert,
  type DeliveryQueue,
  type SubscriptionRecord,
  type SubscriptionStore,
  subscriptionMatches,
  type WebhookKeys,
} from '@lockstep/webhooks';
import type { NotifierMetrics } from './metrics.js';

/** How long the subscription list is cached: a new or changed subscription applies within this time. */
const SUBSCRIPTIONS_TTL_MS = 1_000;

/** Queues alerts for the subscriptions that want them, with per-subscription storm control. */
export interface Fanout {
  /**
   * Queues `alert` for every enabled matching subscription of `records` (read fresh by the caller, so a
   * subscription created before an alert's commit gets it) except `exceptId`. Returns how many. Idempotent.
   */
  publish(
    alert: Alert,
    profile: AgentProfile,
    records: readonly SubscriptionRecord[],
    exceptId?: string,
    /** An open incident of the alert's rule covers its agent (subscriptions may mute such alerts). */
    coveredByIncident?: boolean,
  ): Promise<number>;
  /** Queues the `alerts.suppressed` summaries of past minutes whose cap was hit. */
  flushStorms(subscriptionIds: readonly string[]): Promise<void>;
  /** Current records, cached for a second (the delivery loop polls often). */
  subscriptions(): Promise<readonly SubscriptionRecord[]>;
}

export function createFanout(deps: {
  readonly redis: RedisClient;
  readonly keys: WebhookKeys;
  readonly subscriptions: SubscriptionStore;
  readonly deliveries: DeliveryQueue;
  readonly metrics: NotifierMetrics;
  /** 0: no cap. */
  readonly maxPerMinute: number;
  readonly now: () => number;
}): Fanout {
  const { redis, keys, deliveries, metrics } = deps;
  let cached: { at: number; records: Promise<readonly SubscriptionRecord[]> } | null = null;

  function subscriptions(): Promise<readonly SubscriptionRecord[]> {
    const now = deps.now();
    if (cached === null || now - cached.at > SUBSCRIPTIONS_TTL_MS) {
      const records = deps.subscriptions.listRecords();
      cached = { at: now, records };
      records.catch(() => (cached = null));
    }
    return cached.records;
  }

  async function queue(sub: SubscriptionRecord, alert: Alert): Promise<boolean> {
    if (deps.maxPerMinute > 0) {
      const minute = Math.floor(deps.now() / 60_000);
      const sent = await redis.hincrby(keys.storm(sub.id), `n:${minute}`, 1);
      if (sent > deps.maxPerMinute) {
        const held = await deliveries.enqueue(sub.id, alert, 'suppressed');
        if (held) {
          await redis.hincrby(keys.storm(sub.id), `s:${minute}`, 1);
          metrics.alertsSuppressed.inc();
        }
        return held;
      }
    }
    const queued = await deliveries.enqueue(sub.id, alert);
    if (queued) metrics.alertsQueued.inc({ type: alert.type });
    return queued;
  }

  return {
    async publish(alert, profile, records, exceptId, coveredByIncident = false) {
      let n = 0;
      for (const sub of records) {
        if (sub.id === exceptId || !subscriptionMatches(sub, alert, profile, coveredByIncident)) continue;
        if (await queue(sub, alert)) n++;
      }
      return n;
    },
    async flushStorms(subscriptionIds) {
      const current = Math.floor(deps.now() / 60_000);
      for (const id of subscriptionIds) {
        const fields = await redis.hgetall(keys.storm(id));
        for (const [field, value] of Object.entries(fields)) {
          const [kind, m] = field.split(':');
          const minute = Number(m);
          if (!(minute < current)) continue;
          if (kind === 's') {
            const summary = buildSystemAlert('alerts.suppressed', `storm:${id}:${minute}`, deps.now(), {
              subscriptionId: id,
              minuteStart: new Date(minute * 60_000).toISOString(),
              heldBack: Number(value),
              cap: deps.maxPerMinute,
              recover: `POST /v1/webhooks/${id}/recover with since=${new Date(minute * 60_000).toISOString()}`,
            });
            await deliveries.enqueue(id, summary);
          }
          await redis.hdel(keys.storm(id), field);
        }
      }
    },
    subscriptions,
  };
}
