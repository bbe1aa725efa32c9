import type { RedisClient } from '@lockstep/store';
import type { Alert } from './alert.js';
import { WebhookCorruptDataError, WebhookNotFoundError } from './errors.js';
import { SYSTEM_LANE, type WebhookKeys } from './keys.js';
import { defineWebhookScripts } from './scripts.js';

/** One delivery record: an alert queued for one subscription. */
export interface DeliveryRecord {
  readonly subscriptionId: string;
  readonly alertId: string;
  readonly laneId: string;
  readonly type: string;
  /** The payload sent, byte for byte, on every attempt. */
  readonly body: string;
  readonly state: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  /** Next attempt (ms) while pending. */
  readonly nextAttemptAt: number;
  /** Last HTTP status or error (`timeout`, `refused: ...`, `suppressed`), '' before the first attempt. */
  readonly lastStatus: string;
  readonly createdAt: number;
}

/** One attempt in a subscription's delivery log. */
export interface AttemptLogEntry {
  readonly alertId: string;
  readonly type: string;
  readonly at: number;
  readonly attempt: number;
  /** HTTP status, or 0 when no response came (`error` says why). */
  readonly status: number;
  readonly error: string | null;
  readonly latencyMs: number;
  readonly outcome: 'delivered' | 'retry' | 'dead';
  /** At most 1 KB of the response body. */
  readonly excerpt: string;
}

/** A lane claimed by this worker: its lock is held until `finish`. */
export interface ClaimedDelivery {
  readonly token: string;
  readonly record: DeliveryRecord;
}

/** A dead letter as listed for operators. */
export interface DeadLetter {
  /** `<subscriptionId>:<alertId>`: what `replay` takes. */
  readonly id: string;
  readonly diedAt: number;
  readonly record: DeliveryRecord;
}

export interface DeliveryQueueOptions {
  readonly redis: RedisClient;
  readonly keys: WebhookKeys;
  /** Attempts kept per subscription in the delivery log. Default 1 000. */
  readonly logMaxLen?: number;
  /** How long a delivered record is kept (replayed outbox entries are deduplicated against it). Default 7 days. */
  readonly keepDeliveredMs?: number;
  readonly now?: () => number;
}

/**
 * Delivery records and per-subscription queues in Redis. Alerts of one lane (agent) are delivered in the
 * order they were queued: only the head of a lane is attempted, under a lane lock, so no alert is ever in
 * flight twice at once and a later alert of the agent never overtakes an earlier one.
 */
export interface DeliveryQueue {
  /** Queues an alert for a subscription once (idempotent on the alert id). `suppressed` files it as a dead letter. */
  enqueue(subscriptionId: string, alert: Alert, mode?: 'queue' | 'suppressed'): Promise<boolean>;
  /** Locks up to `limit` due lanes of a subscription and returns their head deliveries. */
  claimDue(subscriptionId: string, token: string, lockMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt and releases the lock. `failingSince` is 0 after a success; `null` if the lock was lost. */
  finish(
    claimed: ClaimedDelivery,
    result: { outcome: AttemptLogEntry['outcome']; nextAttemptAt: number; log: AttemptLogEntry },
  ): Promise<{ failingSince: number } | null>;
  get(subscriptionId: string, alertId: string): Promise<DeliveryRecord | null>;
  /** Newest attempts first. */
  log(subscriptionId: string, limit?: number): Promise<AttemptLogEntry[]>;
  /** Dead letters of a subscription, newest first, optionally only those that died at or after `since`. */
  deadLetters(subscriptionId: string, options?: { since?: number; limit?: number }): Promise<DeadLetter[]>;
  /** Replays one dead letter (`<subscriptionId>:<alertId>`). Throws `WebhookNotFoundError` if it is not one. */
  replay(deadLetterId: string): Promise<void>;
  /** Replays every dead letter of a subscription that died at or after `since`. Returns how many. */
  recover(subscriptionId: string, since: number): Promise<number>;
  /** Undelivered alerts and the queue time of the oldest (ms, `null` when none). */
  backlog(subscriptionId: string): Promise<{ count: number; oldestAt: number | null; dead: number }>;
}

function decodeRecord(subscriptionId: string, key: string, h: Record<string, string>): DeliveryRecord | null {
  if (h.alert === undefined) return null;
  const state = h.state;
  if (state !== 'pending' && state !== 'delivered' && state !== 'dead')
    throw new WebhookCorruptDataError(key);
  return {
    subscriptionId,
    alertId: h.alert,
    laneId: h.lane ?? SYSTEM_LANE,
    type: h.type ?? '',
    body: h.body ?? '',
    state,
    attempts: Number(h.attempts ?? 0),
    nextAttemptAt: Number(h.next ?? 0),
    lastStatus: h.status ?? '',
    createdAt: Number(h.created ?? 0),
  };
}

export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  const { redis, keys } = options;
  const now = options.now ?? Date.now;
  const logMaxLen = options.logMaxLen ?? 1_000;
  const keepDeliveredMs = options.keepDeliveredMs ?? 7 * 24 * 3_600_000;
  defineWebhookScripts(redis);

  async function get(subscriptionId: string, alertId: string): Promise<DeliveryRecord | null> {
    const key = keys.delivery(subscriptionId, alertId);
    return decodeRecord(subscriptionId, key, await redis.hgetall(key));
  }

  async function replayOne(subscriptionId: string, alertId: string): Promise<boolean> {
    const record = await get(subscriptionId, alertId);
    if (record === null || record.state !== 'dead') return false;
    const reply = await redis.lockstepWhReplay(
      keys.delivery(subscriptionId, alertId),
      keys.lane(subscriptionId, record.laneId),
      keys.due(subscriptionId),
      keys.dead(subscriptionId),
      keys.pending(subscriptionId),
      alertId,
      record.laneId,
      now(),
    );
    return reply === 1;
  }

  async function deadLetters(
    subscriptionId: string,
    opts: { since?: number; limit?: number } = {},
  ): Promise<DeadLetter[]> {
    const limit = opts.limit ?? 100;
    const min = opts.since === undefined ? '-inf' : String(opts.since);
    const flat = await redis.zrevrangebyscore(
      keys.dead(subscriptionId),
      '+inf',
      min,
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const out: DeadLetter[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const alertId = flat[i] as string;
      const record = await get(subscriptionId, alertId);
      if (record !== null)
        out.push({ id: `${subscriptionId}:${alertId}`, diedAt: Number(flat[i + 1]), record });
    }
    return out;
  }

  return {
    async enqueue(subscriptionId, alert, mode = 'queue') {
      const lane = alert.agentId ?? SYSTEM_LANE;
      const reply = await redis.lockstepWhEnqueue(
        keys.delivery(subscriptionId, alert.id),
        keys.lane(subscriptionId, lane),
        keys.due(subscriptionId),
        keys.pending(subscriptionId),
        keys.dead(subscriptionId),
        alert.id,
        lane,
        alert.type,
        alert.body,
        now(),
        mode,
      );
      return reply === 1;
    },
    async claimDue(subscriptionId, token, lockMs, limit) {
      const at = now();
      // Look past the first `limit` due lanes: other replicas may hold those.
      const lanes = await redis.zrangebyscore(keys.due(subscriptionId), '-inf', at, 'LIMIT', 0, limit * 4);
      const claimed: ClaimedDelivery[] = [];
      const claimLane = async (lane: string): Promise<ClaimedDelivery | null> => {
        const head = await redis.lockstepWhBegin(
          keys.laneLock(subscriptionId, lane),
          keys.lane(subscriptionId, lane),
          keys.due(subscriptionId),
          token,
          lockMs,
          lane,
          at,
        );
        if (typeof head !== 'string') return null;
        const record = await get(subscriptionId, head);
        if (record === null) {
          // A head without a record cannot be delivered (expired or deleted): drop it from the lane.
          await redis.lrem(keys.lane(subscriptionId, lane), 1, head);
          await redis.del(keys.laneLock(subscriptionId, lane));
          return null;
        }
        return { token, record };
      };
      // Lanes are tried in parallel slices (one round-trip each with auto-pipelining), never beyond `limit`.
      for (let i = 0; i < lanes.length && claimed.length < limit;) {
        const slice = lanes.slice(i, i + (limit - claimed.length));
        i += slice.length;
        for (const c of await Promise.all(slice.map(claimLane))) if (c !== null) claimed.push(c);
      }
      return claimed;
    },
    async finish(claimed, result) {
      const { record } = claimed;
      const s = record.subscriptionId;
      const reply = await redis.lockstepWhFinish(
        keys.laneLock(s, record.laneId),
        keys.delivery(s, record.alertId),
        keys.lane(s, record.laneId),
        keys.due(s),
        keys.log(s),
        keys.dead(s),
        keys.health(s),
        keys.pending(s),
        claimed.token,
        record.alertId,
        record.laneId,
        result.outcome,
        result.nextAttemptAt,
        result.log.attempt,
        result.log.error ?? String(result.log.status),
        JSON.stringify(result.log),
        logMaxLen,
        result.log.at,
        keepDeliveredMs,
      );
      const [code, failingSince] = reply as [number, number];
      return code === 1 ? { failingSince } : null;
    },
    get,
    async log(subscriptionId, limit = 100) {
      const lines = await redis.lrange(keys.log(subscriptionId), 0, limit - 1);
      return lines.map((l) => JSON.parse(l) as AttemptLogEntry);
    },
    deadLetters,
    async replay(deadLetterId) {
      const colon = deadLetterId.indexOf(':');
      const subscriptionId = deadLetterId.slice(0, colon);
      const alertId = deadLetterId.slice(colon + 1);
      if (colon <= 0 || !(await replayOne(subscriptionId, alertId))) {
        throw new WebhookNotFoundError('dead letter', deadLetterId);
      }
    },
    async recover(subscriptionId, since) {
      const ids = await redis.zrangebyscore(keys.dead(subscriptionId), since, '+inf');
      let n = 0;
      for (const alertId of ids) if (await replayOne(subscriptionId, alertId)) n++;
      return n;
    },
    async backlog(subscriptionId) {
      const [count, oldest, dead] = await Promise.all([
        redis.zcard(keys.pending(subscriptionId)),
        redis.zrange(keys.pending(subscriptionId), 0, 0, 'WITHSCORES'),
        redis.zcard(keys.dead(subscriptionId)),
      ]);
      return { count, oldestAt: oldest[1] === undefined ? null : Number(oldest[1]), dead };
    },
  };
}
