import {
  type AgentIndex,
  type AgentProfiles,
  type CommandQueue,
  createAgentIndex,
  createAgentProfiles,
  createCommandQueue,
  createIncidentStore,
  createKeys,
  createReads,
  type IncidentStore,
  type Keys,
  type Reads,
  type RedisClient,
} from '@lockstep/store';
import {
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
  type DeliveryQueue,
  type SubscriptionStore,
} from '@lockstep/webhooks';
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
  /** The agent directory the engines keep: names and memberships of the watched agents. */
  readonly profiles: AgentProfiles;
  readonly commands: CommandQueue;
  readonly apiKeys: ApiKeys;
  readonly audit: Audit;
  /** Webhook subscriptions (URLs checked with the config's SSRF policy) and their delivery queues. */
  readonly subscriptions: SubscriptionStore;
  readonly deliveries: DeliveryQueue;
  /** Incidents as the engine's grouper stores them. */
  readonly incidents: IncidentStore;
  readonly now: () => number;
}

export function createApiContext(config: AdminApiConfig, redis: RedisClient, now: () => number): ApiContext {
  const keys = createKeys(config.keyPrefix);
  const webhookKeys = createWebhookKeys(config.keyPrefix);
  return {
    config,
    redis,
    keys,
    reads: createReads({ redis, keys }),
    index: createAgentIndex({ redis, keys }),
    profiles: createAgentProfiles({ redis, keys }),
    commands: createCommandQueue({ redis, keys }),
    apiKeys: createApiKeys({ redis, keys, bootstrapKey: config.bootstrapAdminKey, now }),
    audit: createAudit({ redis, keys, now }),
    subscriptions: createSubscriptionStore({ redis, keys: webhookKeys, ssrf: config.webhookSsrf, now }),
    deliveries: createDeliveryQueue({ redis, keys: webhookKeys, now }),
    incidents: createIncidentStore({ redis, keys }),
    now,
  };
}
