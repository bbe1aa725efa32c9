import { describe, expect, it } from 'vitest';
import { FIX, recordedWorld, routingSequence, testScenario, topicEvents } from './test-fixtures.js';

const A1 = FIX.agent(1);
const A2 = FIX.agent(2);

function agentCallStates(events: ReturnType<typeof recordedWorld>['events'], id: string): string[] {
  return topicEvents(events, id, '.conversations').map((e) => {
    const parts = (
      e.eventBody as { participants: Array<{ purpose: string; calls: Array<{ state: string }> }> }
    ).participants;
    return parts.find((p) => p.purpose === 'agent')?.calls[0]?.state ?? '?';
  });
}

describe('ACD', () => {
  it('offers a call, the agent answers, wraps up and returns to IDLE', () => {
    const { world, events } = recordedWorld(testScenario({}, 1));
    world.act({ type: 'offer-call', queueId: FIX.queue });
    expect(agentCallStates(events, A1)).toEqual(['alerting']);
    world.advance(1_000);
    expect(agentCallStates(events, A1)).toEqual(['alerting', 'connected']);
    world.advance(120_000); // handle time ≤ 1.5 × 60 s, wrap-up 10 s
    expect(agentCallStates(events, A1)).toEqual(['alerting', 'connected', 'disconnected', 'terminated']);
    expect(routingSequence(events, A1)).toEqual(['INTERACTING', 'IDLE']);
    const summaries = topicEvents(events, A1, '.conversationsummary').map(
      (e) => (e.eventBody as { call: { contactCenter: { active: number; acw: number } } }).call.contactCenter,
    );
    expect(summaries).toEqual([
      { active: 1, acw: 0 },
      { active: 1, acw: 0 },
      { active: 0, acw: 1 },
      { active: 0, acw: 0 },
    ]);
    const alert = topicEvents(events, A1, '.conversations')[0]?.eventBody as { participants: unknown[] };
    expect(alert.participants).toEqual([
      expect.objectContaining({ purpose: 'customer' }),
      expect.objectContaining({ purpose: 'agent', userId: A1, queueId: FIX.queue, alertingTimeoutMs: 8000 }),
    ]);
  });

  it('holds and resumes a connected call, and refuses a hold without one', () => {
    const { world, events } = recordedWorld(testScenario({}, 1));
    expect(() => world.act({ type: 'hold-call', agentId: A1, held: true })).toThrow(/no connected call/);
    world.act({ type: 'offer-call', queueId: FIX.queue });
    expect(() => world.act({ type: 'hold-call', agentId: A1, held: true })).toThrow(/no connected call/);
    world.advance(1_000);
    world.act({ type: 'hold-call', agentId: A1, held: true });
    expect(world.agentInteractions(A1)).toEqual([expect.objectContaining({ media: 'call', state: 'held' })]);
    world.act({ type: 'hold-call', agentId: A1, held: true }); // no change, no event
    world.act({ type: 'hold-call', agentId: A1, held: false });
    expect(world.agentInteractions(A1)).toEqual([expect.objectContaining({ state: 'connected' })]);
    const held = topicEvents(events, A1, '.conversations').map((e) => {
      const agent = (
        e.eventBody as {
          participants: Array<{ purpose: string; calls: Array<{ state: string; held: boolean }> }>;
        }
      ).participants.find((p) => p.purpose === 'agent')!;
      return `${agent.calls[0]!.state}${agent.calls[0]!.held ? ' held' : ''}`;
    });
    expect(held).toEqual(['alerting', 'connected', 'connected held', 'connected']);
    world.act({ type: 'hold-call', agentId: A1, held: true });
    world.advance(120_000); // the customer hangs up while held: wrap-up, then done
    expect(world.agentInteractions(A1)).toEqual([]);
    expect(agentCallStates(events, A1).slice(-2)).toEqual(['disconnected', 'terminated']);
  });

  it('skips a scripted hold that finds no connected call instead of stopping the world', () => {
    const { world } = recordedWorld(
      testScenario({ timeline: [{ at: '+1', action: { type: 'hold-call', agentId: A1, held: true } }] }, 1),
    );
    world.advance(2_000);
    world.act({ type: 'offer-call', queueId: FIX.queue });
    expect(world.agentInteractions(A1)).toEqual([expect.objectContaining({ state: 'alerting' })]);
  });

  it('routes to the longest-idle agent', () => {
    const { world, events } = recordedWorld(testScenario({}, 3));
    // Agent 1 becomes idle last by going off and back on queue.
    world.act({ type: 'set-presence', agentId: A1, presence: 'Available' });
    world.advance(1_000);
    world.act({ type: 'set-presence', agentId: A1, presence: 'On Queue' });
    world.act({ type: 'offer-call', queueId: FIX.queue });
    const offeredTo = events.find((e) => e.topicName.endsWith('.conversations'))?.agentId;
    expect(offeredTo).not.toBe(A1);
  });

  it('a silently dead station makes the alert time out: NOT_RESPONDING and the call goes to someone else', () => {
    const { world, events } = recordedWorld(testScenario({}, 2));
    world.act({ type: 'kill-station', agentId: A1 });
    world.act({ type: 'kill-station', agentId: A2 });
    world.act({ type: 'revive-station', agentId: A2 });
    world.act({ type: 'offer-call', queueId: FIX.queue, agentId: A1 });
    expect(world.groundTruth()[0]?.station).toMatchObject({ associated: true, healthy: false });
    world.advance(7_999);
    expect(routingSequence(events, A1)).toEqual(['INTERACTING']);
    world.advance(1);
    expect(routingSequence(events, A1)).toEqual(['INTERACTING', 'NOT_RESPONDING']);
    const missed = topicEvents(events, A1, '.conversations').at(-1)?.eventBody as {
      participants: Array<{ purpose: string; calls: Array<{ disconnectType?: string }> }>;
    };
    expect(missed.participants[1]?.calls[0]?.disconnectType).toBe('timeout');
    expect(agentCallStates(events, A2)[0]).toBe('alerting');
  });

  it('missed alerts when the station is disassociated, and the agent recovers by re-selecting On Queue', () => {
    const s = testScenario({}, 1);
    const agents = s.agents.map((a) => ({
      ...a,
      behaviour: { ...a.behaviour, recoverFromNotRespondingSec: 5 },
    }));
    const { world, events } = recordedWorld({ ...s, agents });
    world.act({ type: 'disassociate-station', agentId: A1 });
    world.act({ type: 'offer-call', queueId: FIX.queue });
    world.advance(8_000);
    expect(world.groundTruth()[0]?.routingStatus.status).toBe('NOT_RESPONDING');
    world.advance(5_000);
    // Re-selecting On Queue clears NOT_RESPONDING; the waiting call is offered again and missed again.
    const presence = topicEvents(events, A1, '.presence');
    expect(presence).toHaveLength(1);
    expect(routingSequence(events, A1).slice(0, 4)).toEqual([
      'INTERACTING',
      'NOT_RESPONDING',
      'IDLE',
      'INTERACTING',
    ]);
    world.advance(8_000);
    expect(routingSequence(events, A1)[4]).toBe('NOT_RESPONDING');
  });

  it('sticky-not-responding: re-selecting On Queue does not clear it, a routing PUT does', () => {
    const s = testScenario({}, 1);
    const agents = s.agents.map((a) => ({
      ...a,
      behaviour: { ...a.behaviour, recoverFromNotRespondingSec: 2 },
    }));
    const { world, events } = recordedWorld({ ...s, agents });
    world.act({ type: 'sticky-not-responding', agentId: A1, enabled: true });
    world.act({ type: 'kill-station', agentId: A1 });
    world.act({ type: 'offer-call', queueId: FIX.queue });
    world.advance(30_000);
    expect(topicEvents(events, A1, '.presence').length).toBeGreaterThanOrEqual(2);
    expect(world.groundTruth()[0]?.routingStatus.status).toBe('NOT_RESPONDING');
    world.putRoutingStatus(A1, { status: 'IDLE' }, 'engine');
    expect(routingSequence(events, A1).slice(0, 3)).toEqual(['INTERACTING', 'NOT_RESPONDING', 'IDLE']);
  });

  it('generates Poisson arrivals at the queue rate', () => {
    const s = testScenario({}, 20);
    const queues = s.queues.map((q) =>
      q.id === FIX.queue ? { ...q, callsPerMinute: 30, handleTimeSec: { mean: 5 } } : q,
    );
    const { world, events } = recordedWorld({ ...s, queues });
    world.advance(10 * 60_000);
    const offers = events.filter((e) => {
      if (!e.topicName.endsWith('.conversations')) return false;
      const agent = (
        e.eventBody as { participants: Array<{ purpose: string; calls: Array<{ state: string }> }> }
      ).participants[1];
      return agent?.calls[0]?.state === 'alerting';
    });
    // 300 expected; a Poisson count stays well inside ±25 %.
    expect(offers.length).toBeGreaterThan(225);
    expect(offers.length).toBeLessThan(375);
  });
});
