import type { Keys, RedisClient } from '@lockstep/store';

/** Consumer group of the notifier on every outbox stream. */
export const NOTIFIER_GROUP = 'notifier';

/**
 * Creates the notifier's consumer group on every outbox shard if it does not exist: at `$` (only entries
 * committed from now on) for `start: 'new'`, at `0` (everything still in the stream) for `start: 'all'`. An
 * existing group keeps its position, so a restart resumes where it left off. Idempotent.
 */
export async function ensureNotifierGroup(
  redis: RedisClient,
  keys: Keys,
  start: 'new' | 'all',
): Promise<void> {
  for (let shard = 0; shard < keys.outboxShards; shard++) {
    try {
      await redis.xgroup(
        'CREATE',
        keys.outboxStream(shard),
        NOTIFIER_GROUP,
        start === 'new' ? '$' : '0',
        'MKSTREAM',
      );
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
    }
  }
}
