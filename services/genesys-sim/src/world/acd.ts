import type { WorldCore } from './core.js';
import { conversationEventBody, conversationSummaryBody } from './events.js';
import type { Platform } from './platform.js';
import type { AgentState, Call, QueueState } from './state.js';

/** Automatic call distribution: Poisson arrivals per queue, longest-idle routing, alert, answer or miss, wrap-up. */
export interface Acd {
  /** Arms the arrival processes of every queue with a call rate. */
  start(): void;
  /** A new call enters `queueId`; with `agentId` it is offered to that agent if they are IDLE, else it waits. */
  offer(queueId: string, agentId?: string): void;
  /** Ends the agent's interaction: an alert is withdrawn, a connected call hangs up, wrap-up completes. */
  endCall(agent: AgentState): void;
  /** Holds or resumes the agent's connected call; false when the agent has no connected call. */
  hold(agent: AgentState, held: boolean): boolean;
  /** Puts an agent on a connected call at the start (initial scenario state; no events). */
  seedConnectedCall(agent: AgentState, queueId: string, remainingMs: number): void;
  /** Offers waiting calls to the agent's queues if the agent became available. */
  agentAvailable(agent: AgentState): void;
}

export function createAcd(core: WorldCore, platform: Platform): Acd {
  const { rng, scheduler } = core;
  const queueOf = (call: Call): QueueState => core.queues.get(call.queueId)!;
  const alertMs = (call: Call): number => queueOf(call).alertingTimeoutMs;

  const emitCall = (agent: AgentState, call: Call, missed = false): void => {
    core.emit(
      agent.topics.conversations,
      conversationEventBody(call, agent, alertMs(call), missed),
      agent.id,
    );
    core.emit(agent.topics.conversationsummary, conversationSummaryBody(agent), agent.id);
  };

  const newCall = (queueId: string): Call => ({
    id: rng.uuid(),
    queueId,
    customerParticipantId: rng.uuid(),
    customerCallId: rng.uuid(),
    address: `tel:+1555${String(rng.int(0, 9_999_999)).padStart(7, '0')}`,
    enteredAt: core.nowWire(),
    agentId: null,
    agentParticipantId: '',
    agentCallId: '',
    state: 'waiting',
    offeredAt: 0,
    connectedAt: 0,
    disconnectedAt: 0,
    acwEndAt: 0,
    pending: 0,
    held: false,
  });

  const available = (a: AgentState, queueId: string): boolean =>
    a.routing === 'IDLE' && a.call === null && a.memberships.get(queueId) === true;

  const longestIdle = (q: QueueState): AgentState | undefined => {
    let best: AgentState | undefined;
    for (const a of q.members) if (available(a, q.id) && (!best || a.idleSince < best.idleSince)) best = a;
    return best;
  };

  const enqueue = (q: QueueState, call: Call, front = false): void => {
    call.state = 'waiting';
    call.agentId = null;
    if (front) q.waiting.unshift(call);
    else q.waiting.push(call);
    const abandonAt = call.enteredAt + core.platform.queueAbandonAfterSec * 1000;
    call.pending = core.atWire(abandonAt, () => {
      const i = q.waiting.indexOf(call);
      if (i >= 0) q.waiting.splice(i, 1);
      call.state = 'ended';
    });
  };

  const dispatch = (q: QueueState): void => {
    while (q.waiting.length > 0) {
      const agent = longestIdle(q);
      if (!agent) return;
      offerTo(agent, q.waiting.shift()!);
    }
  };

  const miss = (agent: AgentState, call: Call): void => {
    call.disconnectedAt = core.nowWire();
    agent.call = null;
    emitCall(agent, call, true);
    if (agent.routingOnQueue) {
      platform.setRouting(agent, 'NOT_RESPONDING', 'acd');
      core.hooks.notResponding(agent);
    } else {
      // The agent left On Queue while the call rang: the missed alert just ends the interaction.
      platform.interactionFinished(agent);
    }
    const q = queueOf(call);
    call.disconnectedAt = 0;
    enqueue(q, call, true);
    dispatch(q);
  };

  const hangUp = (agent: AgentState, call: Call): void => {
    scheduler.cancel(call.pending);
    call.state = 'acw';
    call.held = false;
    call.disconnectedAt = core.nowWire();
    emitCall(agent, call);
    const wrapMs = queueOf(call).wrapupMs * agent.behaviour.wrapupMultiplier;
    call.pending = scheduler.after(wrapMs, () => finishWrapup(agent, call));
  };

  const finishWrapup = (agent: AgentState, call: Call): void => {
    scheduler.cancel(call.pending);
    call.state = 'ended';
    call.acwEndAt = core.nowWire();
    agent.call = null;
    emitCall(agent, call);
    platform.interactionFinished(agent);
  };

  const answer = (agent: AgentState, call: Call): void => {
    const stationOk = agent.station?.associated === true && agent.station.healthy;
    if (!stationOk) {
      // The softphone failed while ringing: the alert runs into its timeout.
      call.pending = core.atWire(call.offeredAt + alertMs(call), () => miss(agent, call));
      return;
    }
    call.state = 'connected';
    call.connectedAt = core.nowWire();
    emitCall(agent, call);
    const handleMs = queueOf(call).handleMeanMs * (0.5 + rng.float());
    call.pending = scheduler.after(handleMs, () => hangUp(agent, call));
  };

  const offerTo = (agent: AgentState, call: Call): void => {
    scheduler.cancel(call.pending);
    call.agentId = agent.id;
    call.agentParticipantId = rng.uuid();
    call.agentCallId = rng.uuid();
    call.state = 'alerting';
    call.offeredAt = core.nowWire();
    call.connectedAt = 0;
    agent.call = call;
    // [assumption] the routing status is INTERACTING while an ACD call alerts.
    platform.setRouting(agent, 'INTERACTING', 'acd');
    emitCall(agent, call);
    const b = agent.behaviour;
    const attentive = rng.chance(b.answerProbability);
    const delayMs =
      (b.answerDelaySec.min + rng.float() * (b.answerDelaySec.max - b.answerDelaySec.min)) * 1000;
    const stationOk = agent.station?.associated === true && agent.station.healthy;
    const timeout = alertMs(call);
    if (attentive && stationOk && delayMs < timeout)
      call.pending = scheduler.after(delayMs, () => answer(agent, call));
    else call.pending = scheduler.after(timeout, () => miss(agent, call));
  };

  const arrivals = (q: QueueState): void => {
    if (q.callsPerMinute <= 0) return;
    scheduler.after(rng.exponential(60_000 / q.callsPerMinute), () => {
      enqueue(q, newCall(q.id));
      dispatch(q);
      arrivals(q);
    });
  };

  return {
    start() {
      for (const q of core.queues.values()) arrivals(q);
    },
    offer(queueId, agentId) {
      const q = core.queues.get(queueId);
      if (!q) return;
      const call = newCall(queueId);
      const target = agentId ? core.agents.get(agentId) : undefined;
      if (target && target.routing === 'IDLE' && target.call === null) {
        offerTo(target, call);
        return;
      }
      enqueue(q, call);
      dispatch(q);
    },
    endCall(agent) {
      const call = agent.call;
      if (!call) return;
      if (call.state === 'connected') hangUp(agent, call);
      else if (call.state === 'acw') finishWrapup(agent, call);
      else if (call.state === 'alerting') {
        scheduler.cancel(call.pending);
        call.state = 'ended';
        call.disconnectedAt = core.nowWire();
        agent.call = null;
        emitCall(agent, call, true);
        platform.interactionFinished(agent);
      }
    },
    hold(agent, held) {
      const call = agent.call;
      if (!call || call.state !== 'connected') return false;
      if (call.held !== held) {
        call.held = held;
        emitCall(agent, call);
      }
      return true;
    },
    seedConnectedCall(agent, queueId, remainingMs) {
      const call = newCall(queueId);
      call.agentId = agent.id;
      call.agentParticipantId = rng.uuid();
      call.agentCallId = rng.uuid();
      call.state = 'connected';
      call.offeredAt = core.nowWire() - 60_000;
      call.connectedAt = core.nowWire() - 55_000;
      agent.call = call;
      agent.routing = 'INTERACTING';
      agent.routingStart = call.offeredAt;
      call.pending = scheduler.after(remainingMs, () => hangUp(agent, call));
    },
    agentAvailable(agent) {
      if (agent.routing !== 'IDLE' || agent.call !== null) return;
      for (const queueId of agent.activeQueueIds) {
        const q = core.queues.get(queueId);
        if (q && q.waiting.length > 0) {
          scheduler.after(0, () => dispatch(q));
        }
      }
    },
  };
}
