import { type RoutingStatus, type SystemPresence, tryNormalizeSystemPresence } from '@lockstep/domain';
import { ROUTING_STATUSES } from '@lockstep/domain';
import type { User } from '@lockstep/genesys';
import { interactionTotals } from '../rest-mapping.js';

/** An agent as a REST read just showed it: what the guards decide on. `null`: the read did not say. */
export interface FreshAgent {
  readonly agentId: string;
  readonly presence: {
    readonly system: SystemPresence;
    readonly definitionId: string | null;
    readonly source: string | null;
  } | null;
  readonly routing: RoutingStatus | null;
  /** `undefined`: the read did not include the station; `null`: no station associated. */
  readonly stationId: string | null | undefined;
  /** Active (alerting, connected, held) and wrap-up interactions over every media, ACD or not. */
  readonly interactions: { readonly active: number; readonly acw: number } | null;
  /** Epoch ms of the read. */
  readonly readAt: number;
}

/** What a user read with `expand=presence,routingStatus,station,conversationSummary` says. Pure. */
export function freshAgent(user: User, readAt: number): FreshAgent | null {
  if (typeof user.id !== 'string') return null;
  const def = user.presence?.presenceDefinition;
  const system =
    typeof def?.systemPresence === 'string' ? tryNormalizeSystemPresence(def.systemPresence) : undefined;
  const status = user.routingStatus?.status;
  return {
    agentId: user.id,
    presence:
      system === undefined
        ? null
        : {
            system,
            definitionId: def?.id ?? null,
            source: typeof user.presence?.source === 'string' ? user.presence.source : null,
          },
    routing:
      typeof status === 'string' && (ROUTING_STATUSES as readonly string[]).includes(status)
        ? (status as RoutingStatus)
        : null,
    stationId: user.station === undefined ? undefined : (user.station.associatedStation?.id ?? null),
    interactions: interactionTotals(user.conversationSummary) ?? null,
    readAt,
  };
}
