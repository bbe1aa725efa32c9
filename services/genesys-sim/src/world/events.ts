import type { Call, AgentState } from './state.js';
import { iso } from './time.js';

/** `v2.users.{id}.presence` body (reference §3.1); systemPresence in upper-snake. */
export function presenceEventBody(a: AgentState): Record<string, unknown> {
  return {
    source: 'PURECLOUD',
    presenceDefinition: { id: a.presence.id, systemPresence: a.presence.wireSystemPresence },
    primary: true,
    message: a.presenceMessage,
    modifiedDate: iso(a.presenceModified),
  };
}

/** `v2.users.{id}.routingStatus` body (reference §3.2). */
export function routingEventBody(a: AgentState): Record<string, unknown> {
  return { id: a.id, routingStatus: { status: a.routing, startTime: iso(a.routingStart) } };
}

/** `v2.users.{id}.activity` body: the combined snapshot (reference §3.3). */
export function activityEventBody(a: AgentState): Record<string, unknown> {
  return {
    id: a.id,
    routingStatus: { status: a.routing, startTime: iso(a.routingStart) },
    presence: {
      presenceDefinition: { id: a.presence.id, systemPresence: a.presence.wireSystemPresence },
      presenceMessage: a.presenceMessage,
      modifiedDate: iso(a.presenceModified),
    },
    outOfOffice: { active: a.outOfOffice.active, modifiedDate: iso(a.outOfOffice.modified) },
    activeQueueIds: a.activeQueueIds.slice(),
    dateActiveQueuesChanged: iso(a.activeQueuesChanged),
  };
}

/**
 * `v2.users.{id}.station` body (reference §3.6). On disassociation the body is `{}` — the real shape is
 * [UNVERIFIED].
 */
export function stationEventBody(a: AgentState): Record<string, unknown> {
  const s = a.station;
  if (!s?.associated) return {};
  return { associatedStation: { id: s.id, name: s.name, associatedUser: { id: a.id } } };
}

/** `v2.users.{id}.outofoffice` body (reference §3.7). */
export function outOfOfficeEventBody(a: AgentState): Record<string, unknown> {
  return { user: { id: a.id }, active: a.outOfOffice.active, indefinite: a.outOfOffice.active };
}

/** `v2.users.{id}.conversationsummary` body (reference §3.5); ACD calls count as contact-center calls. */
export function conversationSummaryBody(a: AgentState): Record<string, unknown> {
  const active = a.call && (a.call.state === 'alerting' || a.call.state === 'connected') ? 1 : 0;
  const acw = a.call?.state === 'acw' ? 1 : 0;
  const zero = { contactCenter: { active: 0, acw: 0 }, enterprise: { active: 0, acw: 0 } };
  return {
    userId: a.id,
    call: { contactCenter: { active, acw }, enterprise: { active: 0, acw: 0 } },
    callback: zero,
    email: zero,
    message: zero,
    chat: zero,
    socialExpression: zero,
    video: zero,
  };
}

const AGENT_CALL_STATE: Record<Call['state'], string> = {
  waiting: 'offering',
  alerting: 'alerting',
  connected: 'connected',
  acw: 'disconnected',
  ended: 'terminated',
};

/**
 * `v2.users.{id}.conversations` body (reference §3.4): customer and agent participants with one call each.
 * `missed` marks an alert that timed out (agent call disconnected with `disconnectType: timeout`).
 */
export function conversationEventBody(
  call: Call,
  a: AgentState,
  alertingTimeoutMs: number,
  missed = false,
): Record<string, unknown> {
  const agentCall: Record<string, unknown> = {
    id: call.agentCallId,
    state: missed ? 'disconnected' : AGENT_CALL_STATE[call.state],
    initialState: 'alerting',
    direction: 'inbound',
    held: call.held,
    muted: false,
    confined: false,
    recording: false,
    provider: 'Edge',
  };
  if (call.connectedAt > 0 && !missed) agentCall.connectedTime = iso(call.connectedAt);
  if (missed) {
    agentCall.disconnectType = 'timeout';
    agentCall.disconnectedTime = iso(call.disconnectedAt);
  } else if (call.disconnectedAt > 0) {
    agentCall.disconnectType = 'peer';
    agentCall.disconnectedTime = iso(call.disconnectedAt);
    agentCall.afterCallWorkRequired = true;
  }
  const agent: Record<string, unknown> = {
    id: call.agentParticipantId,
    purpose: 'agent',
    userId: a.id,
    name: a.name,
    queueId: call.queueId,
    alertingTimeoutMs,
    wrapupRequired: true,
    calls: [agentCall],
  };
  if (call.connectedAt > 0 && !missed) agent.connectedTime = iso(call.connectedAt);
  if (call.state === 'acw' || call.state === 'ended') agent.startAcwTime = iso(call.disconnectedAt);
  if (call.state === 'ended' && call.acwEndAt > 0) {
    agent.endAcwTime = iso(call.acwEndAt);
    agent.endTime = iso(call.acwEndAt);
  }
  if (missed) agent.endTime = iso(call.disconnectedAt);
  const customerState = call.state === 'acw' || call.state === 'ended' ? 'disconnected' : 'connected';
  return {
    id: call.id,
    maxParticipants: 2,
    participants: [
      {
        id: call.customerParticipantId,
        purpose: 'customer',
        address: call.address,
        calls: [{ id: call.customerCallId, state: customerState, direction: 'inbound' }],
      },
      agent,
    ],
    recentTransfers: [],
  };
}
