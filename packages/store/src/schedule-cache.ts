import { CorruptDataError } from './errors.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './scripts.js';

/** One agent's cached published schedule (segments as UTC instants), as the engine loaded it. */
export interface CachedSchedule {
  readonly segments: ReadonlyArray<{
    readonly start: number;
    readonly end: number;
    readonly category: string;
    readonly activityCodeId: string | null;
    readonly timeOffRequestId?: string | null;
  }>;
  /** When the schedule last changed and how, when known. */
  readonly changedAt: number | null;
  readonly change: string | null;
  /** When it was loaded (engine clock, epoch ms). */
  readonly loadedAt: number;
}

export interface ScheduleCacheOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** How long an entry lives in Redis. Default 36 h (the window spans three days; a reload replaces it sooner). */
  readonly ttlMs?: number;
}

/**
 * The published-schedule cache: one string key per agent, `{agent:<id>}:schedule` (hash-tagged with the agent,
 * so Cluster-safe and next to the agent's other keys), holding JSON with a TTL. Lets a restarted or newly
 * placed engine evaluate schedules before its first search answers. Plain GET/SET: a newer load simply wins.
 */
export interface ScheduleCache {
  write(agentId: string, schedule: CachedSchedule): Promise<void>;
  /** Entries of the given agents; missing or expired ones are absent. Throws `CorruptDataError` on bad JSON. */
  read(agentIds: readonly string[]): Promise<Map<string, CachedSchedule>>;
  remove(agentId: string): Promise<void>;
}

export function createScheduleCache(options: ScheduleCacheOptions): ScheduleCache {
  const { redis, keys } = options;
  const ttl = options.ttlMs ?? 36 * 3_600_000;
  return {
    async write(agentId, schedule) {
      await redis.set(keys.schedule(agentId), JSON.stringify(schedule), 'PX', ttl);
    },
    async read(agentIds) {
      const out = new Map<string, CachedSchedule>();
      if (agentIds.length === 0) return out;
      // One GET per agent in a pipeline: keys of different agents live in different slots on a cluster.
      const pipeline = redis.pipeline();
      for (const id of agentIds) pipeline.get(keys.schedule(id));
      const results = (await pipeline.exec()) ?? [];
      agentIds.forEach((id, i) => {
        const [err, text] = results[i] ?? [null, null];
        if (err) throw err;
        if (typeof text !== 'string') return;
        try {
          out.set(id, JSON.parse(text) as CachedSchedule);
        } catch (cause) {
          throw new CorruptDataError(`schedule cache of agent ${id} (not JSON)`, { cause });
        }
      });
      return out;
    },
    async remove(agentId) {
      await redis.del(keys.schedule(agentId));
    },
  };
}
