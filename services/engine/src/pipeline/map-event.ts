import {
  ACTIVITY_CATEGORIES,
  type ActivityCategory,
  type SignalUpdate,
  type SignalValues,
} from '@lockstep/domain';
import type { ConversationEvent, GenesysEvent, PresenceEvent } from '@lockstep/genesys';
import { createEventTimer, type EventTimeOptions } from './event-time.js';

/** What one decoded notification means to the engine. */
export type MappedEvent =
  /** Signal observations of one agent (source `event`). */
  | { readonly kind: 'signals'; readonly agentId: string; readonly updates: readonly SignalUpdate[] }
  /** An agent joined or left a queue: the agent selection may change. */
  | {
      readonly kind: 'membership';
      readonly queueId: string;
      readonly agentId: string;
      readonly joined: boolean;
    }
  /** Something changed that the notification does not carry: re-read it over REST. */
  | {
      readonly kind: 'refresh';
      readonly what: 'schedule' | 'timeOff';
      readonly agentIds: readonly string[];
      /** For a schedule change: whether the agent's own topic or the MU-wide one said so. */
      readonly origin?: 'user' | 'managementUnit';
    }
  /** Transport bookkeeping (heartbeats, socket closing): nothing for the agents. */
  | { readonly kind: 'ignore' };

/** An agent's interaction counts (active, after-call work), every media, ACD or not. */
export interface InteractionTotals {
  readonly active: number;
  readonly acw: number;
}

/** Maps decoded notifications to domain signal updates. Keeps the per-agent state the `conversations` topic needs. */
export interface EventMapper {
  /**
   * Maps one event. Signals carry the platform's own timestamp so that the domain can discard stale and
   * duplicate observations; one more than the future tolerance ahead of `receivedAt` is clamped. Signals whose
   * payload has no platform timestamp (station, conversation counts, out of office) are stamped `receivedAt`
   * (engine clock, epoch ms) and marked `observed`. A presence of a non-primary source is ignored.
   */
  map(event: GenesysEvent, receivedAt: number): MappedEvent;
  /**
   * Reconciles the agent's open conversations (built from `conversations` events) with the counts a REST read
   * made at `readAt` reports: conversations the read does not account for, and that no event touched since the
   * read began, are dropped oldest first, so a lost "disconnected" event cannot leave a ghost call. Returns
   * whether anything was dropped.
   */
  reconcile(agentId: string, counts: InteractionTotals, readAt: number): boolean;
  /** Drops what is kept about an agent (it is no longer tracked). */
  forget(agentId: string): void;
}

const IGNORE: MappedEvent = { kind: 'ignore' };

/** Parses a WFM activity category; anything unknown is treated as `Unscheduled`. Pure. */
export function activityCategory(text: string | undefined): ActivityCategory {
  return text !== undefined && (ACTIVITY_CATEGORIES as readonly string[]).includes(text)
    ? (text as ActivityCategory)
    : 'Unscheduled';
}

const signals = (agentId: string, updates: SignalUpdate[]): MappedEvent => ({
  kind: 'signals',
  agentId,
  updates,
});

/** The presence value of a presence notification, with its source when the platform named one. Pure. */
function presenceValue(event: PresenceEvent): SignalValues['presence'] {
  const value = { system: event.systemPresence, definitionId: event.definitionId };
  return event.source === undefined || event.source === '' ? value : { ...value, source: event.source };
}

type ConversationState = 'active' | 'acw';
interface OpenConversation {
  readonly state: ConversationState;
  /** Receive time of the latest event about it. */
  readonly at: number;
}

/**
 * Creates a mapper. Its only state: the agents' open conversations when the `conversations` topic is used.
 * `options` set the tolerance for platform timestamps ahead of the receive time and count the clamps.
 */
export function createEventMapper(options: EventTimeOptions = {}): EventMapper {
  const stamp = createEventTimer(options);
  // agentId -> conversationId -> state and time of the latest event
  const conversations = new Map<string, Map<string, OpenConversation>>();

  function totals(mine: ReadonlyMap<string, OpenConversation> | undefined): InteractionTotals {
    let active = 0;
    let acw = 0;
    for (const c of mine?.values() ?? []) {
      if (c.state === 'active') active++;
      else acw++;
    }
    return { active, acw };
  }

  // Every conversation of the agent counts (ACD or not, any media): alerting, connected, held or in ACW.
  function conversationCounts(e: ConversationEvent, receivedAt: number): InteractionTotals {
    let mine = conversations.get(e.agentId);
    if (e.active || e.alerting) {
      mine ??= new Map();
      mine.set(e.conversationId, { state: 'active', at: receivedAt });
    } else if (e.acw) {
      mine ??= new Map();
      mine.set(e.conversationId, { state: 'acw', at: receivedAt });
    } else {
      mine?.delete(e.conversationId);
    }
    if (mine !== undefined && mine.size > 0) conversations.set(e.agentId, mine);
    else conversations.delete(e.agentId);
    return totals(mine);
  }

  return {
    forget(agentId) {
      conversations.delete(agentId);
    },
    reconcile(agentId, counts, readAt) {
      const mine = conversations.get(agentId);
      if (mine === undefined) return false;
      const known = totals(mine);
      let dropped = false;
      for (const state of ['active', 'acw'] as const) {
        let excess = known[state] - counts[state];
        if (excess <= 0) continue;
        const stale = [...mine]
          .filter(([, c]) => c.state === state && c.at < readAt)
          .sort(([, a], [, b]) => a.at - b.at);
        for (const [id] of stale) {
          if (excess === 0) break;
          mine.delete(id);
          excess--;
          dropped = true;
        }
      }
      if (mine.size === 0) conversations.delete(agentId);
      return dropped;
    },
    map(event, receivedAt) {
      const source = 'event' as const;
      switch (event.kind) {
        case 'presence':
          // Only the primary presence is the agent's presence; another source's must not overwrite it.
          if (event.primary === false) return IGNORE;
          return signals(event.agentId, [
            {
              signal: 'presence',
              value: presenceValue(event),
              ...stamp('presence', event.modifiedAt, receivedAt),
              source,
            },
          ]);
        case 'routingStatus':
          return signals(event.agentId, [
            {
              signal: 'routing',
              value: event.status,
              ...stamp('routing', event.startedAt, receivedAt),
              source,
            },
          ]);
        case 'activity': {
          const updates: SignalUpdate[] = [];
          if (event.presence) {
            updates.push({
              signal: 'presence',
              value: { system: event.presence.systemPresence, definitionId: event.presence.definitionId },
              ...stamp('presence', event.presence.modifiedAt, receivedAt),
              source,
            });
          }
          if (event.routingStatus) {
            updates.push({
              signal: 'routing',
              value: event.routingStatus.status,
              ...stamp('routing', event.routingStatus.startedAt, receivedAt),
              source,
            });
          }
          if (event.outOfOffice !== undefined) {
            updates.push({
              signal: 'outOfOffice',
              value: event.outOfOffice,
              at: receivedAt,
              observed: true,
              source,
            });
          }
          return updates.length === 0 ? IGNORE : signals(event.agentId, updates);
        }
        case 'station':
          return signals(event.agentId, [
            {
              signal: 'station',
              value: { stationId: event.stationId },
              at: receivedAt,
              observed: true,
              source,
            },
          ]);
        case 'conversationSummary':
          // Enterprise (non-ACD) interactions keep an agent as busy as contact-center ones.
          return signals(event.agentId, [
            {
              signal: 'interactions',
              value: {
                active: event.contactCenter.active + event.enterprise.active,
                acw: event.contactCenter.acw + event.enterprise.acw,
              },
              at: receivedAt,
              observed: true,
              source,
            },
          ]);
        case 'conversation':
          return signals(event.agentId, [
            {
              signal: 'interactions',
              value: conversationCounts(event, receivedAt),
              at: receivedAt,
              observed: true,
              source,
            },
          ]);
        case 'outOfOffice':
          return signals(event.agentId, [
            { signal: 'outOfOffice', value: event.active, at: receivedAt, observed: true, source },
          ]);
        case 'adherence':
          if (event.removedFromManagementUnit === true) return IGNORE;
          return signals(event.agentId, [
            {
              signal: 'schedule',
              value: {
                category: activityCategory(event.scheduledActivityCategory),
                activityCodeId: event.scheduledActivityCodeId ?? null,
                adherence: event.adherenceState,
              },
              ...stamp('schedule', event.changedAt, receivedAt),
              source,
            },
          ]);
        case 'scheduleChanged':
          return { kind: 'refresh', what: 'schedule', agentIds: [event.agentId], origin: 'user' };
        case 'managementUnitSchedulesChanged':
          return {
            kind: 'refresh',
            what: 'schedule',
            agentIds: event.agents.map((a) => a.agentId),
            origin: 'managementUnit',
          };
        case 'timeOffRequest':
          return { kind: 'refresh', what: 'timeOff', agentIds: [event.agentId] };
        case 'queueMembership':
          return { kind: 'membership', queueId: event.queueId, agentId: event.agentId, joined: event.joined };
        case 'channelMetadata':
        case 'socketClosing':
          return IGNORE;
      }
    },
  };
}
