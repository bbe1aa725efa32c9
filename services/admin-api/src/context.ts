import {
  type AgentIndex,
  type CommandQueue,
  createAgentIndex,
  createCommandQueue,
  createKeys,
  createReads,
  type Keys,
  type Reads,
  type RedisClient,
} from '@lockstep/store';
import { type Audit, createAudit } from './audit.js';
import { type ApiKeys, createApiKeys } from './auth/api-keys.js';
import type { AdminApiConfig } from './config.js';

/** What the route modules work with. Built once per app from the Redis client the caller owns. */
export interface ApiContext {
  readonly config: AdminApiConfig;
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly reads: Reads;
  readonly index: AgentIndex;
  readonly commands: CommandQueue;
  readonly apiKeys: ApiKeys;
  readonly audit: Audit;
  readonly now: () => number;
}

export function createApiContext(config: AdminApiConfig, redis: RedisClient, now: () => number): ApiContext {
  const keys = createKeys(config.keyPrefix);
  return {
    config,
    redis,
    keys,
    reads: createReads({ redis, keys }),
    index: createAgentIndex({ redis, keys }),
    commands: createCommandQueue({ redis, keys }),
    apiKeys: createApiKeys({ redis, keys, bootstrapKey: config.bootstrapAdminKey, now }),
    audit: createAudit({ redis, keys, now }),
    now,
  };
}
