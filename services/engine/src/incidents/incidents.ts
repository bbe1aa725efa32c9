import type { Clock } from '@lockstep/genesys';
import {
  createAgentProfiles,
  createAttributesStore,
  createIncidentStore,
  type Keys,
  type Outbox,
  type RedisClient,
} from '@lockstep/store';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AgentMemberships } from '../discovery.js';
import { type AttributesKeeper, createAttributesKeeper } from './attributes-keeper.js';
import { createIncidentGrouper, type IncidentGrouper } from './grouper.js';
import { createIncidentMetrics } from './incident-metrics.js';

/** Incident settings (`LOCKSTEP_INCIDENT_*`). */
export interface IncidentsSettings {
  readonly enabled: boolean;
  readonly minAgents: number;
  readonly windowMs: number;
  readonly intervalMs: number;
}

export interface IncidentsDeps {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly outbox: Pick<Outbox, 'publishEntries'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly owner: string;
  readonly memberships: (agentId: string) => AgentMemberships | undefined;
  readonly canAct: () => boolean;
}

/**
 * The engine's incident part: the attributes keeper (every engine; it also keeps the agent directory) and the
 * grouper (the lease holder).
 */
export interface Incidents {
  readonly keeper: AttributesKeeper;
  readonly grouper: IncidentGrouper | null;
  start(): void;
  /** Idempotent; every step runs. */
  close(): Promise<void>;
}

/** Wires the incident part. With `enabled` false, attributes are still kept but no grouper runs. */
export function createIncidents(settings: IncidentsSettings, deps: IncidentsDeps): Incidents {
  const { redis, keys, clock, logger } = deps;
  const attributes = createAttributesStore({ redis, keys });
  const keeper = createAttributesKeeper({
    store: attributes,
    profiles: createAgentProfiles({ redis, keys }),
    memberships: deps.memberships,
    canAct: deps.canAct,
    clock,
    logger,
  });
  const grouper = settings.enabled
    ? createIncidentGrouper({
        redis,
        keys,
        incidents: createIncidentStore({ redis, keys }),
        attributes,
        outbox: deps.outbox,
        clock,
        logger,
        owner: deps.owner,
        settings: { minAgents: settings.minAgents, windowMs: settings.windowMs },
        intervalMs: settings.intervalMs,
        metrics: createIncidentMetrics(deps.registry),
      })
    : null;
  return {
    keeper,
    grouper,
    start() {
      keeper.start();
      grouper?.start();
    },
    async close() {
      for (const step of [() => grouper?.close(), () => keeper.close()]) {
        try {
          await step();
        } catch (err) {
          logger.error({ err }, 'closing incidents failed');
        }
      }
    },
  };
}
