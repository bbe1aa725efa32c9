import type { ExpandedAgent } from '../scenario/index.js';
import type { Acd } from './acd.js';
import { createAcd } from './acd.js';
import type { Actors } from './actors.js';
import { createActors } from './actors.js';
import type { AgentTruth, WorldAction } from './contract.js';
import type { WorldCore } from './core.js';
import { badRequest, invalidValue, notFound } from './errors.js';
import { activityEventBody, outOfOfficeEventBody } from './events.js';
import { createFirehose, type Firehose } from './firehose.js';
import type { Platform } from './platform.js';
import { resolvePresence } from './build.js';
import type { AgentState } from './state.js';
import { scheduleTimeline } from './timeline.js';
import { iso } from './time.js';
import type { Wfm } from './wfm.js';

/** World actions (control API and timeline), ground truth and start-up wiring of the behaviour modules. */
export interface Actions {
  act(action: WorldAction): void;
  groundTruth(): AgentTruth[];
  /** Seeds initial calls, arms arrivals, schedule boundaries and the timeline. Call once. */
  init(): void;
  readonly acd: Acd;
  readonly actors: Actors;
  readonly firehose: Firehose;
}

export function createActions(
  core: WorldCore,
  platform: Platform,
  wfm: Wfm,
  specs: readonly ExpandedAgent[],
): Actions {
  const acd = createAcd(core, platform);
  const actors = createActors(core, platform);
  const firehose = createFirehose(core, platform);
  const agent = (id: string): AgentState => {
    const a = core.agents.get(id);
    if (!a) throw notFound('user', id);
    return a;
  };
  const queue = (id: string): void => {
    if (!core.queues.has(id)) throw notFound('queue', id);
  };

  const act = (action: WorldAction): void => {
    switch (action.type) {
      case 'set-presence': {
        const a = agent(action.agentId);
        const spec = action.presence;
        if (typeof spec === 'object' && !core.definitions.has(spec.definitionId)) {
          throw invalidValue('presence.definitionId', spec.definitionId);
        }
        platform.setPresence(a, resolvePresence(core, spec), action.by ?? 'sim-control');
        return;
      }
      case 'set-routing-status':
        platform.setRouting(agent(action.agentId), action.status, action.by ?? 'sim-control');
        return;
      case 'associate-station':
        platform.associateStation(agent(action.agentId));
        return;
      case 'disassociate-station':
        platform.disassociateStation(agent(action.agentId));
        return;
      case 'kill-station':
        platform.setStationHealth(agent(action.agentId), false);
        return;
      case 'revive-station':
        platform.setStationHealth(agent(action.agentId), true);
        return;
      case 'join-queue':
      case 'leave-queue':
        queue(action.queueId);
        platform.setJoined(agent(action.agentId), action.queueId, action.type === 'join-queue');
        return;
      case 'remove-from-queue':
        queue(action.queueId);
        platform.removeMember(agent(action.agentId), action.queueId);
        return;
      case 'offer-call':
        queue(action.queueId);
        if (action.agentId) agent(action.agentId);
        acd.offer(action.queueId, action.agentId);
        return;
      case 'hold-call':
        if (!acd.hold(agent(action.agentId), action.held)) {
          throw badRequest(`Agent ${action.agentId} has no connected call to hold or resume.`);
        }
        return;
      case 'end-call':
        acd.endCall(agent(action.agentId));
        return;
      case 'presence-routing-decouple':
        agent(action.agentId).decoupled = action.enabled;
        return;
      case 'sticky-not-responding':
        agent(action.agentId).stickyNotResponding = action.enabled;
        return;
      case 'revert-presence': {
        const a = agent(action.agentId);
        a.revert = { enabled: action.enabled, afterMs: action.revertAfterMs ?? core.platform.revertAfterMs };
        return;
      }
      case 'edit-shift':
        wfm.editShift(agent(action.agentId), action.shiftId, action.activities);
        return;
      case 'swap-shifts':
        wfm.swapShifts(agent(action.agentIdA), agent(action.agentIdB), action.date);
        return;
      case 'publish-schedule':
        wfm.publish(action.muId, action.weekStart, action.agentIds);
        return;
      case 'request-time-off': {
        const { agentId, type: _type, ...spec } = action;
        wfm.requestTimeOff(agent(agentId), spec, 'sim-control');
        return;
      }
      case 'set-out-of-office': {
        const a = agent(action.agentId);
        if (a.outOfOffice.active === action.active) return;
        a.outOfOffice = { active: action.active, modified: core.nowWire() };
        core.emit(a.topics.outofoffice, outOfOfficeEventBody(a), a.id);
        core.emit(a.topics.activity, activityEventBody(a), a.id);
        core.hooks.agentChanged(a);
        return;
      }
      case 'fault':
        core.emitFault(action.fault);
        return;
      case 'firehose':
        firehose.set(action.eventsPerSecond);
        return;
    }
  };

  const truth = (a: AgentState): AgentTruth => {
    const activity = wfm.activityAt(a, core.nowWire());
    return {
      id: a.id,
      name: a.name,
      divisionId: a.divisionId,
      presence: {
        definitionId: a.presence.id,
        systemPresence: a.presence.systemPresence,
        modifiedDate: iso(a.presenceModified),
      },
      routingStatus: { status: a.routing, startTime: iso(a.routingStart) },
      station: a.station
        ? { id: a.station.id, associated: a.station.associated, healthy: a.station.healthy }
        : null,
      activeQueueIds: [...a.activeQueueIds],
      activeInteractions: a.call && a.call.state !== 'ended' ? 1 : 0,
      outOfOffice: a.outOfOffice.active,
      managementUnitId: a.muId,
      scheduledActivity: activity
        ? { category: activity.code.category, activityCodeId: activity.code.id }
        : null,
      adherenceState: a.adherence?.state ?? null,
      pendingTimeOffRequests: a.timeOff.filter((t) => t.status === 'PENDING').length,
      lastChangedBy: { presence: a.presenceBy, routingStatus: a.routingBy },
    };
  };

  let initialised = false;
  return {
    acd,
    actors,
    firehose,
    act,
    groundTruth: () => core.agentList.map(truth),
    init() {
      if (initialised) return;
      initialised = true;
      core.hooks = {
        agentChanged: (a) => {
          wfm.evaluate(a);
          acd.agentAvailable(a);
        },
        presenceChanged: actors.presenceChanged,
        notResponding: actors.notResponding,
      };
      wfm.onBoundary = actors.activityBoundary;
      specs.forEach((spec, i) => {
        const a = core.agentList[i]!;
        if (spec.initialCall) {
          const { min, max } = spec.initialCall.remainingSec;
          acd.seedConnectedCall(a, spec.initialCall.queueId, (min + core.rng.float() * (max - min)) * 1000);
        }
      });
      wfm.start();
      acd.start();
      scheduleTimeline(core, act, (id) => wfm.mus.get(id)?.timeZone);
    },
  };
}
