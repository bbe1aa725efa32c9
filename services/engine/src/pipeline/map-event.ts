import { ACTIVITY_CATEGORIES, type ActivityCategory, type SignalUpdate } from '@lockstep/domain';
import type { ConversationEvent, GenesysEvent } from '@lockstep/genesys';

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
  | { readonly kind: 'refresh'; readonly what: 'schedule' | 'timeOff'; readonly agentIds: readonly string[] }
  /** Transport bookkeeping (heartbeats, socket closing): nothing for the agents. */
  | { readonly kind: 'ignore' };

/** Maps decoded notifications to domain signal updates. Keeps the per-agent state the `conversations` topic needs. */
export interface EventMapper {
  /**
   * Maps one event. `receivedAt` (engine clock, epoch ms) stamps signals whose payload has no platform timestamp
   * (station, conversation counts, out of office); every other signal carries the platform's own timestamp so
   * that the domain can discard stale and duplicate observations.
   */
  map(event: GenesysEvent, receivedAt: number): MappedEvent;
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

/** Creates a mapper. Its only state: the agents' open conversations when the `conversations` topic is used. */
export function createEventMapper(): EventMapper {
  // agentId -> conversationId -> 'active' | 'acw'
  const conversations = new Map<string, Map<string, 'active' | 'acw'>>();

  function conversationCounts(e: ConversationEvent): { active: number; acw: number } {
    let mine = conversations.get(e.agentId);
    if (e.active || e.alerting) {
      mine ??= new Map();
      mine.set(e.conversationId, 'active');
    } else if (e.acw) {
      mine ??= new Map();
      mine.set(e.conversationId, 'acw');
    } else {
      mine?.delete(e.conversationId);
    }
    if (mine !== undefined && mine.size > 0) conversations.set(e.agentId, mine);
    else conversations.delete(e.agentId);
    let active = 0;
    let acw = 0;
    for (const state of mine?.values() ?? []) {
      if (state === 'active') active++;
      else acw++;
    }
    return { active, acw };
  }

  return {
    forget(agentId) {
      conversations.delete(agentId);
    },
    map(event, receivedAt) {
      const source = 'event' as const;
      switch (event.kind) {
        case 'presence':
          return signals(event.agentId, [
            {
              signal: 'presence',
              value: { system: event.systemPresence, definitionId: event.definitionId },
              at: event.modifiedAt ?? receivedAt,
              source,
            },
          ]);
        case 'routingStatus':
          return signals(event.agentId, [
            { signal: 'routing', value: event.status, at: event.startedAt ?? receivedAt, source },
          ]);
        case 'activity': {
          const updates: SignalUpdate[] = [];
          if (event.presence) {
            updates.push({
              signal: 'presence',
              value: { system: event.presence.systemPresence, definitionId: event.presence.definitionId },
              at: event.presence.modifiedAt ?? receivedAt,
              source,
            });
          }
          if (event.routingStatus) {
            updates.push({
              signal: 'routing',
              value: event.routingStatus.status,
              at: event.routingStatus.startedAt ?? receivedAt,
              source,
            });
          }
          if (event.outOfOffice !== undefined) {
            updates.push({ signal: 'outOfOffice', value: event.outOfOffice, at: receivedAt, source });
          }
          return updates.length === 0 ? IGNORE : signals(event.agentId, updates);
        }
        case 'station':
          return signals(event.agentId, [
            { signal: 'station', value: { stationId: event.stationId }, at: receivedAt, source },
          ]);
        case 'conversationSummary':
          return signals(event.agentId, [
            {
              signal: 'interactions',
              value: { active: event.contactCenter.active, acw: event.contactCenter.acw },
              at: receivedAt,
              source,
            },
          ]);
        case 'conversation':
          return signals(event.agentId, [
            { signal: 'interactions', value: conversationCounts(event), at: receivedAt, source },
          ]);
        case 'outOfOffice':
          return signals(event.agentId, [
            { signal: 'outOfOffice', value: event.active, at: receivedAt, source },
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
              at: event.changedAt ?? receivedAt,
              source,
            },
          ]);
        case 'scheduleChanged':
          return { kind: 'refresh', what: 'schedule', agentIds: [event.agentId] };
        case 'managementUnitSchedulesChanged':
          return { kind: 'refresh', what: 'schedule', agentIds: event.agents.map((a) => a.agentId) };
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
