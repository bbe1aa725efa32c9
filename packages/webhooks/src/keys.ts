import { validateId } from '@lockstep/store';

/**
 * Every Redis key of the webhooks package, in the style of `@lockstep/store`'s `createKeys`: one builder,
 * ids validated. Subscription documents share the `{webhooks}` tag (a small, low-rate set); everything about
 * the deliveries of one subscription shares `{wh:<subscriptionId>}`, so each delivery script touches one slot
 * on Redis Cluster.
 */
export interface WebhookKeys {
  readonly prefix: string;
  /** Hash: `doc` (subscription JSON, secrets included). */
  subscription(id: string): string;
  /** Set of every subscription id. */
  subscriptions(): string;
  /** Hash per (subscription, alert): the delivery record. */
  delivery(subscriptionId: string, alertId: string): string;
  /** List of alert ids waiting for one lane (agent) of a subscription, oldest first. */
  lane(subscriptionId: string, laneId: string): string;
  /** Sorted set of lanes with work: member lane id, score = next attempt time (ms). */
  due(subscriptionId: string): string;
  /** String with a random token and a TTL: the lock of one lane while an attempt is in flight. */
  laneLock(subscriptionId: string, laneId: string): string;
  /** List of recent attempts (JSON), newest first, bounded. */
  log(subscriptionId: string): string;
  /** Sorted set of dead letters: member alert id, score = when it died (ms). */
  dead(subscriptionId: string): string;
  /** Hash: `failingSince` (ms, set on the first failure after a success), `lastSuccessAt`. */
  health(subscriptionId: string): string;
  /** Sorted set of undelivered alerts: member alert id, score = when queued (ms): backlog and oldest age. */
  pending(subscriptionId: string): string;
  /** Hash: per-minute storm control (`n:<minute>` sent count, `s:<minute>` held-back count). */
  storm(subscriptionId: string): string;
}

/** Lane of alerts that concern no agent (system alerts). */
export const SYSTEM_LANE = '~system';

/** Builds the key catalogue for `prefix` (the same prefix as the store's keys, e.g. `lockstep:`). Pure. */
export function createWebhookKeys(prefix: string): WebhookKeys {
  const sub = (id: string) => `${prefix}{wh:${validateId('subscription id', id)}}`;
  return Object.freeze({
    prefix,
    subscription: (id: string) => `${prefix}{webhooks}:sub:${validateId('subscription id', id)}`,
    subscriptions: () => `${prefix}{webhooks}:subs`,
    delivery: (s: string, alertId: string) => `${sub(s)}:d:${validateId('alert id', alertId)}`,
    lane: (s: string, laneId: string) => `${sub(s)}:lane:${validateId('lane id', laneId)}`,
    due: (s: string) => `${sub(s)}:due`,
    laneLock: (s: string, laneId: string) => `${sub(s)}:lock:${validateId('lane id', laneId)}`,
    log: (s: string) => `${sub(s)}:log`,
    dead: (s: string) => `${sub(s)}:dead`,
    health: (s: string) => `${sub(s)}:health`,
    pending: (s: string) => `${sub(s)}:pending`,
    storm: (s: string) => `${sub(s)}:storm`,
  });
}
