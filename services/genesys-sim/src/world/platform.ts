import type { RoutingStatusValue } from './contract.js';
import type { WorldCore } from './core.js';
import { activityEventBody, presenceEventBody, routingEventBody, stationEventBody } from './events.js';
import type { PresenceDefinition } from './presence-definitions.js';
import type { AgentState } from './state.js';

/** The actor name agents' own clients use when they change their own state. */
export const AGENT_CLIENT = 'agent-client';

/**
 * Platform rules for presence, routing status, stations and queue membership (reference §4.3 coupling).
 * Every mutation emits its notifications in a fixed order and then calls `hooks.agentChanged`.
 */
export interface Platform {
  setPresence(agent: AgentState, def: PresenceDefinition, by: string, message?: string): void;
  /** Sets routing status directly (system transitions and REST writes); no-op when unchanged. */
  setRouting(agent: AgentState, status: RoutingStatusValue, by: string): void;
  associateStation(agent: AgentState): void;
  disassociateStation(agent: AgentState): void;
  setStationHealth(agent: AgentState, healthy: boolean): void;
  setJoined(agent: AgentState, queueId: string, joined: boolean): void;
  /** Deletes the membership; announced on the queue's users topic with `joined: false` [assumption]. */
  removeMember(agent: AgentState, queueId: string): void;
  /** Routing status an On Queue agent without an interaction should have now. */
  routableStatus(agent: AgentState): RoutingStatusValue;
  /** Called by the ACD when an interaction finished (wrap-up done or alert cancelled). */
  interactionFinished(agent: AgentState): void;
}

/** Creates the platform rules over a world core. */
export function createPlatform(core: WorldCore): Platform {
  const joinedCount = (a: AgentState): number => a.activeQueueIds.length;
  const stationOk = (a: AgentState): boolean => a.station?.associated === true;

  const routableStatus = (a: AgentState): RoutingStatusValue => {
    if (joinedCount(a) === 0) return 'OFF_QUEUE';
    if (!stationOk(a) && core.platform.onQueueWithoutStation === 'off-queue') return 'OFF_QUEUE';
    return 'IDLE';
  };

  const applyRouting = (a: AgentState, status: RoutingStatusValue, by: string): boolean => {
    if (a.routing === status) return false;
    a.routing = status;
    a.routingStart = core.nowWire();
    a.routingBy = by;
    if (status === 'IDLE') a.idleSince = a.routingStart;
    core.emit(a.topics.routingStatus, routingEventBody(a), a.id);
    return true;
  };

  /** Routing effect of the routing layer's view of presence; returns whether routing changed. */
  const followPresence = (a: AgentState, by: string): boolean => {
    if (a.call) {
      // An interaction in progress keeps its status; the end of the call decides (interactionFinished).
      return false;
    }
    if (!a.routingOnQueue) return applyRouting(a, 'OFF_QUEUE', by);
    if (a.routing === 'NOT_RESPONDING' && a.stickyNotResponding) return false;
    if (a.routing === 'OFF_QUEUE' || a.routing === 'NOT_RESPONDING' || a.routing === 'IDLE') {
      return applyRouting(a, routableStatus(a), by);
    }
    return false;
  };

  const platform: Platform = {
    routableStatus,
    setPresence(a, def, by, message) {
      const previous = a.presence;
      a.presence = def;
      if (message !== undefined) a.presenceMessage = message;
      a.presenceModified = core.nowWire();
      a.presenceBy = by;
      core.emit(a.topics.presence, presenceEventBody(a), a.id);
      if (!a.decoupled) {
        a.routingOnQueue = def.systemPresence === 'On Queue';
        // Re-selecting On Queue clears NOT_RESPONDING (unless sticky); leaving it takes the agent off queue.
        followPresence(a, by);
      }
      core.emit(a.topics.activity, activityEventBody(a), a.id);
      core.hooks.presenceChanged(a, previous, by);
      core.hooks.agentChanged(a);
    },
    setRouting(a, status, by) {
      if (!applyRouting(a, status, by)) return;
      core.emit(a.topics.activity, activityEventBody(a), a.id);
      core.hooks.agentChanged(a);
    },
    associateStation(a) {
      if (!a.station) return;
      const wasAssociated = a.station.associated;
      a.station.associated = true;
      a.station.healthy = true;
      if (wasAssociated) return;
      a.station.associatedDate = core.nowWire();
      core.emit(a.topics.station, stationEventBody(a), a.id);
      if (a.routingOnQueue && followPresence(a, 'platform'))
        core.emit(a.topics.activity, activityEventBody(a), a.id);
      core.hooks.agentChanged(a);
    },
    disassociateStation(a) {
      if (!a.station?.associated) return;
      a.station.associated = false;
      core.emit(a.topics.station, stationEventBody(a), a.id);
      if (a.routingOnQueue && a.routing === 'IDLE' && followPresence(a, 'platform')) {
        core.emit(a.topics.activity, activityEventBody(a), a.id);
      }
      core.hooks.agentChanged(a);
    },
    setStationHealth(a, healthy) {
      // Silent: the platform does not notice a dead softphone, so nothing is emitted.
      if (a.station) a.station.healthy = healthy;
    },
    setJoined(a, queueId, joined) {
      const queue = core.queues.get(queueId);
      if (!queue) return;
      const was = a.memberships.get(queueId);
      if (was === joined) return;
      if (was === undefined) queue.members.push(a);
      a.memberships.set(queueId, joined);
      a.activeQueueIds = [...a.memberships].filter(([, j]) => j).map(([id]) => id);
      a.activeQueuesChanged = core.nowWire();
      core.emit(queue.usersTopic, { id: a.id, user: { id: a.id }, queueId, joined }, a.id);
      if (a.routingOnQueue) followPresence(a, 'platform');
      core.emit(a.topics.activity, activityEventBody(a), a.id);
      core.hooks.agentChanged(a);
    },
    removeMember(a, queueId) {
      const queue = core.queues.get(queueId);
      if (!queue || !a.memberships.has(queueId)) return;
      a.memberships.delete(queueId);
      const at = queue.members.indexOf(a);
      if (at >= 0) queue.members.splice(at, 1);
      a.activeQueueIds = [...a.memberships].filter(([, j]) => j).map(([id]) => id);
      a.activeQueuesChanged = core.nowWire();
      core.emit(queue.usersTopic, { id: a.id, user: { id: a.id }, queueId, joined: false }, a.id);
      if (a.routingOnQueue) followPresence(a, 'platform');
      core.emit(a.topics.activity, activityEventBody(a), a.id);
      core.hooks.agentChanged(a);
    },
    interactionFinished(a) {
      const target = a.routingOnQueue ? routableStatus(a) : 'OFF_QUEUE';
      if (applyRouting(a, target, 'platform')) core.emit(a.topics.activity, activityEventBody(a), a.id);
      core.hooks.agentChanged(a);
    },
  };
  return platform;
}
