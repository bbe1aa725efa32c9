import {
  ROUTING_STATUSES,
  type RoutingStatus,
  type SignalUpdate,
  tryNormalizeSystemPresence,
} from '@lockstep/domain';
import type { User, UserScheduleAdherence } from '@lockstep/genesys';
import { createEventTimer, type EventTimer } from './pipeline/event-time.js';
import { activityCategory, type InteractionTotals } from './pipeline/map-event.js';

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
 * `startTime`, clamped by `stamp` when they lie too far ahead of `readAt`); signals without one are stamped
 * `readAt` and marked observed, so a re-read of an unchanged value keeps its since. The presence is used only
 * when it is the primary one, with its source. Interactions count every media, contact-center and enterprise
 * (non-ACD) alike. Missing or unrecognisable parts are left out (the platform resolves `expand` on a best-effort
 * basis). Pure apart from `stamp`'s clamp callback.
 */
export function userSignals(
  user: User,
  readAt: number,
  stamp: EventTimer = createEventTimer(),
): SignalUpdate[] {
  const source = 'resync' as const;
  const out: SignalUpdate[] = [];
  const def = user.presence?.presenceDefinition;
  const system =
    typeof def?.systemPresence === 'string' ? tryNormalizeSystemPresence(def.systemPresence) : undefined;
  if (system !== undefined && user.presence?.primary !== false) {
    const presenceSource = user.presence?.source;
    out.push({
      signal: 'presence',
      value: {
        system,
        definitionId: def?.id ?? null,
        ...(typeof presenceSource === 'string' && presenceSource !== '' ? { source: presenceSource } : {}),
      },
      ...stamp('presence', parseTime(user.presence?.modifiedDate), readAt),
      source,
    });
  }
  const status = routingStatus(user.routingStatus?.status);
  if (status !== undefined) {
    out.push({
      signal: 'routing',
      value: status,
      ...stamp('routing', parseTime(user.routingStatus?.startTime), readAt),
      source,
    });
  }
  if (user.station !== undefined) {
    out.push({
      signal: 'station',
      value: { stationId: user.station.associatedStation?.id ?? null },
      at: readAt,
      observed: true,
      source,
    });
  }
  const counts = interactionTotals(user.conversationSummary);
  if (counts !== undefined) {
    out.push({ signal: 'interactions', value: counts, at: readAt, observed: true, source });
  }
  if (typeof user.outOfOffice?.active === 'boolean') {
    out.push({ signal: 'outOfOffice', value: user.outOfOffice.active, at: readAt, observed: true, source });
  }
  return out;
}

/**
 * The interactions a REST `conversationSummary` reports, summed over every media and over the contact-center
 * and enterprise (non-ACD) parts; `undefined` when the read did not include it. Pure.
 */
export function interactionTotals(summary: unknown): InteractionTotals | undefined {
  if (summary === undefined || summary === null || typeof summary !== 'object') return undefined;
  let active = 0;
  let acw = 0;
  for (const media of MEDIA) {
    const entry = (summary as Record<string, unknown>)[media] as
      Record<'contactCenter' | 'enterprise', { active?: unknown; acw?: unknown } | undefined> | undefined;
    for (const part of [entry?.contactCenter, entry?.enterprise]) {
      if (typeof part?.active === 'number') active += part.active;
      if (typeof part?.acw === 'number') acw += part.acw;
    }
  }
  return { active, acw };
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
export function adherenceSignal(
  record: UserScheduleAdherence,
  readAt: number,
  stamp: EventTimer = createEventTimer(),
): SignalUpdate | undefined {
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
    ...stamp('schedule', parseTime(record.timeOfAdherenceChange), readAt),
    source: 'resync',
  };
}

/** The agent a REST adherence record is about. */
export function adherenceAgentId(record: UserScheduleAdherence): string | undefined {
  return record.user?.id ?? record.id;
}
