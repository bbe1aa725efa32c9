import { decodeJson, encodeJson } from './codec.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './scripts.js';

/** What the engine holding a shard reports about itself, for readiness checks in other processes. */
export interface EngineStatus {
  /** The reporting engine's instance id. */
  readonly instance: string;
  readonly shard: number;
  /** Every selector item resolved at least once. */
  readonly ready: boolean;
  readonly agents: number;
  /** Genesys notification channels: those with a live socket, of all the engine runs. */
  readonly channels: { readonly connected: number; readonly total: number };
  /** When the report was written (epoch ms). */
  readonly at: number;
}

export interface EngineStatusStore {
  /** Writes the shard's status, expiring after `ttlMs` unless written again. */
  publish(status: EngineStatus, ttlMs: number): Promise<void>;
  /** Removes the shard's status (the engine stops holding it). */
  clear(shard: number): Promise<void>;
  /** The status of each shard, `null` where none is fresh or it cannot be read. */
  read(shards: readonly number[]): Promise<Array<EngineStatus | null>>;
}

const leaseName = (shard: number) => `engine:shard:${shard}`;

function isStatus(value: unknown): value is EngineStatus {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const channels = v.channels as Record<string, unknown> | undefined;
  return (
    typeof v.instance === 'string' &&
    typeof v.shard === 'number' &&
    typeof v.ready === 'boolean' &&
    typeof v.agents === 'number' &&
    typeof channels?.connected === 'number' &&
    typeof channels.total === 'number' &&
    typeof v.at === 'number'
  );
}

/** Creates the store of engine status reports (one expiring key per shard). Does not own the client. */
export function createEngineStatusStore(options: { redis: RedisClient; keys: Keys }): EngineStatusStore {
  const { redis, keys } = options;
  return {
    async publish(status, ttlMs) {
      const ttl = Math.max(1, Math.round(ttlMs));
      await redis.set(
        keys.leaseStatus(leaseName(status.shard)),
        encodeJson('engine status', status),
        'PX',
        ttl,
      );
    },
    async clear(shard) {
      await redis.del(keys.leaseStatus(leaseName(shard)));
    },
    async read(shards) {
      if (shards.length === 0) return [];
      const texts = await redis.mget(...shards.map((s) => keys.leaseStatus(leaseName(s))));
      return texts.map((text) => {
        if (text === null) return null;
        try {
          const value = decodeJson('engine status', text);
          return isStatus(value) ? value : null;
        } catch {
          return null;
        }
      });
    },
  };
}
