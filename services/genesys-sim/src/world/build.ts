import { type ExpandedAgent, expandAgents } from '../scenario/index.js';
import type { WorldCore } from './core.js';
import { SYSTEM_PRESENCE_IDS } from './presence-definitions.js';
import { createRng, hashString } from './rng.js';
import { type AgentState, agentTopics, type QueueState } from './state.js';

/** Resolves a scenario presence spec to a definition of the catalogue. */
export function resolvePresence(core: WorldCore, spec: ExpandedAgent['presence']) {
  const id = typeof spec === 'string' ? SYSTEM_PRESENCE_IDS[spec] : spec.definitionId;
  const def = core.definitions.get(id);
  if (!def) throw new Error(`unknown presence definition ${id}`);
  return def;
}

/**
 * Fills the core with the scenario's queues and agents in their initial state (no events are emitted for the
 * initial state). Returns the expanded agent specs in the same order as `core.agentList`.
 */
export function buildPopulation(core: WorldCore): ExpandedAgent[] {
  const { scenario } = core;
  const start = core.nowWire();
  const defaultDivision = scenario.divisions[0]!.id;
  for (const q of scenario.queues) {
    const queue: QueueState = {
      id: q.id,
      name: q.name,
      divisionId: q.divisionId ?? defaultDivision,
      callsPerMinute: q.callsPerMinute,
      alertingTimeoutMs: (q.alertingTimeoutSec ?? scenario.platform.alertingTimeoutSec) * 1000,
      handleMeanMs: q.handleTimeSec.mean * 1000,
      wrapupMs: q.wrapupSec * 1000,
      members: [],
      waiting: [],
      usersTopic: `v2.routing.queues.${q.id}.users`,
    };
    core.queues.set(q.id, queue);
  }
  const specs = expandAgents(scenario);
  const stationIds = createRng(hashString(`stations:${scenario.name}`));
  for (const spec of specs) {
    const presence = resolvePresence(core, spec.presence);
    const stationId = stationIds.uuid();
    const agent: AgentState = {
      id: spec.id,
      name: spec.name,
      divisionId: spec.divisionId ?? defaultDivision,
      groupId: spec.groupId,
      topics: agentTopics(spec.id),
      presence,
      presenceMessage: '',
      presenceModified: start,
      presenceBy: 'scenario',
      routing: 'OFF_QUEUE',
      routingStart: start,
      routingBy: 'scenario',
      routingOnQueue: presence.systemPresence === 'On Queue',
      station:
        spec.station === 'none'
          ? null
          : {
              id: stationId,
              name: `WebRTC - ${spec.name}`,
              associated: spec.station !== 'disassociated',
              healthy: spec.station !== 'dead',
              associatedDate: start,
            },
      memberships: new Map(),
      activeQueueIds: [],
      activeQueuesChanged: start,
      outOfOffice: { active: spec.outOfOffice, modified: start },
      muId: spec.managementUnitId ?? null,
      call: null,
      idleSince: start,
      decoupled: false,
      stickyNotResponding: spec.stickyNotResponding,
      revert: { enabled: spec.revertPresence, afterMs: scenario.platform.revertAfterMs },
      behaviour: spec.behaviour,
      recoverHandle: 0,
      shifts: [],
      scheduleChangedAt:
        spec.scheduleChangedHoursAgo === undefined ? null : start - spec.scheduleChangedHoursAgo * 3_600_000,
      timeOff: [],
      adherence: null,
      scheduleVersion: 0,
    };
    for (const queueId of spec.queues) {
      agent.memberships.set(queueId, spec.joined);
      core.queues.get(queueId)?.members.push(agent);
    }
    agent.activeQueueIds = spec.joined ? [...spec.queues] : [];
    if (agent.routingOnQueue && agent.activeQueueIds.length > 0) {
      const stationOk = agent.station?.associated === true;
      agent.routing = stationOk || scenario.platform.onQueueWithoutStation === 'idle' ? 'IDLE' : 'OFF_QUEUE';
    }
    core.agents.set(agent.id, agent);
    core.agentList.push(agent);
  }
  return specs;
}
