import {
  ROUTING_STATUSES,
  type RoutingStatus,
  type SignalUpdate,
  tryNormalizeSystemPresence,
} from '@lockstep/domain';
import type { User, UserScheduleAdherence } from '@lockstep/genesys';
import { activityCategory } from './pipeline/map-event.js';

const MEDIA = ['call', 'callback', 'email', 'message', 'chat', 'socialExpression', 'video'] as const;

function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function routingStatus(text: unknown): RoutingStatus | undefined {
  return typeof text === 'string' && (ROUTING_STATUSES as readonly string[]).includes(text)
    ? (text as RoutingStatus)
    : undefined;
}

/**
 * The signals a user read over REST (`expand=presence,routingStatus,station,conversationSummary,outOfOffice`)
 * states, with source `resync`. Presence and routing carry the platform's timestamps (`modifiedDate`,
 * `startTime`); signals without one are stamped `readAt`. Missing or unrecognisable parts are left out (the
 * platform resolves `expand` on a best-effort basis). Pure.
 */
export function userSignals(user: User, readAt: number): SignalUpdate[] {
  const source = 'resync' as const;
  const out: SignalUpdate[] = [];
  const def = user.presence?.presenceDefinition;
  const system =
    typeof def?.systemPresence === 'string' ? tryNormalizeSystemPresence(def.systemPresence) : undefined;
  if (system !== undefined) {
    out.push({
      signal: 'presence',
      value: { system, definitionId: def?.id ?? null },
      at: parseTime(user.presence?.modifiedDate) ?? readAt,
      source,
    });
  }
  const status = routingStatus(user.routingStatus?.status);
  if (status !== undefined) {
    out.push({
      signal: 'routing',
      value: status,
      at: parseTime(user.routingStatus?.startTime) ?? readAt,
      source,
    });
  }
  if (user.station !== undefined) {
    out.push({
      signal: 'station',
      value: { stationId: user.station.associatedStation?.id ?? null },
      at: readAt,
      source,
    });
  }
  const summary = user.conversationSummary as Record<string, unknown> | undefined;
  if (summary !== undefined) {
    let active = 0;
    let acw = 0;
    for (const media of MEDIA) {
      const cc = (summary[media] as { contactCenter?: { active?: unknown; acw?: unknown } } | undefined)
        ?.contactCenter;
      if (typeof cc?.active === 'number') active += cc.active;
      if (typeof cc?.acw === 'number') acw += cc.acw;
    }
    out.push({ signal: 'interactions', value: { active, acw }, at: readAt, source });
  }
  if (typeof user.outOfOffice?.active === 'boolean') {
    out.push({ signal: 'outOfOffice', value: user.outOfOffice.active, at: readAt, source });
  }
  return out;
}

const ADHERENCE = new Set([
  'InAdherence',
  'OutOfAdherence',
  'Unscheduled',
  'Unknown',
  'Ignored',
  'Explained',
]);

/** The schedule signal of one real-time adherence record read over REST, or `undefined` if unusable. Pure. */
export function adherenceSignal(record: UserScheduleAdherence, readAt: number): SignalUpdate | undefined {
  const state = record.adherenceState;
  const adherence =
    typeof state === 'string' && ADHERENCE.has(state)
      ? (state as 'InAdherence' | 'OutOfAdherence' | 'Unscheduled' | 'Unknown' | 'Ignored' | 'Explained')
      : null;
  return {
    signal: 'schedule',
    value: {
      category: activityCategory(record.scheduledActivityCategory),
      activityCodeId: record.scheduledActivityCode?.id ?? null,
      adherence,
    },
    at: parseTime(record.timeOfAdherenceChange) ?? readAt,
    source: 'resync',
  };
}

/** The agent a REST adherence record is about. */
export function adherenceAgentId(record: UserScheduleAdherence): string | undefined {
  return record.user?.id ?? record.id;
}
