import {
  type AgentEvent,
  createAgentMachine,
  DEFAULT_POLICY,
  initialAgentSnapshot,
  type SignalName,
  type SignalUpdate,
  stepAgent,
} from '@lockstep/domain';
import { decodeNotification, type GenesysEvent, type User } from '@lockstep/genesys';
import { describe, expect, it } from 'vitest';
import { userSignals } from '../rest-mapping.js';
import { createEventTimer } from './event-time.js';
import { createEventMapper, type MappedEvent } from './map-event.js';

const A = 'agent-1';
const NOW = 1_700_000_100_000;
const HOUR = 3_600_000;
const topicName = `v2.users.${A}.presence`;

function updatesOf(mapped: MappedEvent): readonly SignalUpdate[] {
  if (mapped.kind !== 'signals') throw new Error(`expected signals, got ${mapped.kind}`);
  return mapped.updates;
}

const presenceEvent = (
  systemPresence: 'ON_QUEUE' | 'AVAILABLE' | 'BREAK',
  modifiedAt: number,
  extra: { primary?: boolean; source?: string } = {},
): GenesysEvent => ({
  kind: 'presence',
  topicName,
  agentId: A,
  systemPresence,
  definitionId: `def-${systemPresence}`,
  modifiedAt,
  ...extra,
});

describe('future timestamps are clamped at the mapping edge', () => {
  it('a presence stamped more than the tolerance ahead is clamped to the receive time, and counted', () => {
    const clamped: SignalName[] = [];
    const mapper = createEventMapper({ futureToleranceMs: 5_000, onClamped: (s) => clamped.push(s) });
    const [update] = updatesOf(mapper.map(presenceEvent('ON_QUEUE', NOW + HOUR), NOW));
    expect(update).toMatchObject({ at: NOW, observed: true });
    expect(clamped).toEqual(['presence']);
    // Within the tolerance the platform's own time stands, and nothing is counted.
    const [within] = updatesOf(mapper.map(presenceEvent('ON_QUEUE', NOW + 5_000), NOW));
    expect(within).toEqual(expect.objectContaining({ at: NOW + 5_000 }));
    expect(within?.observed).toBeUndefined();
    expect(clamped).toEqual(['presence']);
  });

  it('routing, adherence and REST timestamps are clamped too', () => {
    const clamped: SignalName[] = [];
    const mapper = createEventMapper({ futureToleranceMs: 1_000, onClamped: (s) => clamped.push(s) });
    const routing = updatesOf(
      mapper.map(
        { kind: 'routingStatus', topicName, agentId: A, status: 'IDLE', startedAt: NOW + HOUR },
        NOW,
      ),
    );
    expect(routing[0]?.at).toBe(NOW);
    const adherence = updatesOf(
      mapper.map(
        {
          kind: 'adherence',
          topicName,
          agentId: A,
          via: 'user',
          adherenceState: 'InAdherence',
          changedAt: NOW + HOUR,
        },
        NOW,
      ),
    );
    expect(adherence[0]?.at).toBe(NOW);
    const user = {
      id: A,
      presence: {
        presenceDefinition: { id: 'd-1', systemPresence: 'On Queue' },
        modifiedDate: new Date(NOW + HOUR).toISOString(),
      },
    } as unknown as User;
    const stamp = createEventTimer({ futureToleranceMs: 1_000, onClamped: (s) => clamped.push(s) });
    expect(userSignals(user, NOW, stamp)[0]?.at).toBe(NOW);
    expect(clamped).toEqual(['routing', 'schedule', 'presence']);
  });

  it('the default tolerance is 5 s', () => {
    const mapper = createEventMapper();
    expect(updatesOf(mapper.map(presenceEvent('ON_QUEUE', NOW + 5_000), NOW))[0]?.at).toBe(NOW + 5_000);
    expect(updatesOf(mapper.map(presenceEvent('ON_QUEUE', NOW + 5_001), NOW))[0]?.at).toBe(NOW);
  });

  it('after a future-stamped event, a later correct event still wins and the deadline is not pushed out', () => {
    const machine = createAgentMachine(DEFAULT_POLICY);
    const mapper = createEventMapper();
    let snapshot = initialAgentSnapshot(machine, A, NOW);
    const feed = (event: GenesysEvent, receivedAt: number) => {
      for (const update of updatesOf(mapper.map(event, receivedAt))) {
        const step: AgentEvent = { type: 'SIGNAL', update };
        snapshot = stepAgent(machine, snapshot, step).snapshot;
      }
    };
    feed(presenceEvent('ON_QUEUE', NOW + HOUR), NOW);
    feed({ kind: 'routingStatus', topicName, agentId: A, status: 'OFF_QUEUE', startedAt: NOW }, NOW);
    // on-queue-not-routable waits out its grace from the receive time, not from an hour ahead.
    expect(snapshot.context.clock).toBe(NOW);
    expect(snapshot.context.deadline).toBe(NOW + 15_000);
    // A correct change one second later lands.
    feed(presenceEvent('AVAILABLE', NOW + 1_000), NOW + 1_000);
    expect(snapshot.context.signals.presence?.value.system).toBe('AVAILABLE');
  });
});

describe('presence from other sources', () => {
  it('a non-primary presence does not overwrite the platform presence', () => {
    const mapper = createEventMapper();
    expect(mapper.map(presenceEvent('BREAK', NOW, { primary: false, source: 'integration-x' }), NOW)).toEqual(
      { kind: 'ignore' },
    );
  });

  it('the primary presence keeps its source', () => {
    const mapper = createEventMapper();
    const [update] = updatesOf(
      mapper.map(presenceEvent('ON_QUEUE', NOW, { primary: true, source: 'PURECLOUD' }), NOW),
    );
    expect(update).toEqual({
      signal: 'presence',
      value: { system: 'ON_QUEUE', definitionId: 'def-ON_QUEUE', source: 'PURECLOUD' },
      at: NOW,
      source: 'event',
    });
  });

  it('a REST read uses the primary presence only, with its source', () => {
    const user = (primary: boolean) =>
      ({
        id: A,
        presence: {
          source: 'integration-x',
          primary,
          presenceDefinition: { id: 'd-1', systemPresence: 'Break' },
          modifiedDate: new Date(NOW).toISOString(),
        },
      }) as unknown as User;
    expect(userSignals(user(false), NOW)).toEqual([]);
    expect(userSignals(user(true), NOW)).toEqual([
      {
        signal: 'presence',
        value: { system: 'BREAK', definitionId: 'd-1', source: 'integration-x' },
        at: NOW,
        source: 'resync',
      },
    ]);
  });
});

describe('ghost calls: the conversation map is reconciled with REST', () => {
  const conv = (
    conversationId: string,
    state: 'active' | 'acw' | 'done',
    queueId?: string,
  ): GenesysEvent => ({
    kind: 'conversation',
    topicName: `v2.users.${A}.conversations`,
    agentId: A,
    conversationId,
    active: state === 'active',
    alerting: false,
    acw: state === 'acw',
    ...(queueId === undefined ? {} : { queueId }),
  });
  const counts = (mapped: MappedEvent) => updatesOf(mapped)[0]?.value;

  it('a conversation whose disconnect was lost is dropped when a REST read does not count it', () => {
    const mapper = createEventMapper();
    expect(counts(mapper.map(conv('c-lost', 'active', 'q-1'), NOW))).toEqual({ active: 1, acw: 0 });
    // The "disconnected" event of c-lost never arrives; a resync reads no interaction at all.
    expect(mapper.reconcile(A, { active: 0, acw: 0 }, NOW + 60_000)).toBe(true);
    // The next call is counted alone, not on top of the ghost.
    expect(counts(mapper.map(conv('c-next', 'active', 'q-1'), NOW + 120_000))).toEqual({ active: 1, acw: 0 });
  });

  it('drops the oldest surplus only, and keeps conversations an event touched after the read began', () => {
    const mapper = createEventMapper();
    mapper.map(conv('c-old', 'active'), NOW);
    mapper.map(conv('c-mid', 'active'), NOW + 1_000);
    mapper.map(conv('c-new', 'active'), NOW + 5_000);
    // The read began at NOW + 2 s and saw one active interaction: c-old is the ghost, c-mid is real, c-new came
    // after the read began.
    expect(mapper.reconcile(A, { active: 1, acw: 0 }, NOW + 2_000)).toBe(true);
    expect(counts(mapper.map(conv('c-mid', 'done'), NOW + 6_000))).toEqual({ active: 1, acw: 0 });
    expect(counts(mapper.map(conv('c-new', 'done'), NOW + 7_000))).toEqual({ active: 0, acw: 0 });
  });

  it('a read that agrees changes nothing', () => {
    const mapper = createEventMapper();
    mapper.map(conv('c-1', 'active'), NOW);
    mapper.map(conv('c-2', 'acw'), NOW);
    expect(mapper.reconcile(A, { active: 1, acw: 1 }, NOW + 1_000)).toBe(false);
    expect(counts(mapper.map(conv('c-3', 'active'), NOW + 2_000))).toEqual({ active: 2, acw: 1 });
  });

  it('a held internal (non-ACD) call from the wire keeps the agent busy', () => {
    const decoded = decodeNotification(
      JSON.stringify({
        topicName: `v2.users.${A}.conversations`,
        version: '2',
        eventBody: {
          id: 'c-internal',
          participants: [
            { userId: 'someone-else', purpose: 'user', calls: [{ state: 'connected' }] },
            // No queueId: an enterprise call between colleagues, put on hold.
            { userId: A, purpose: 'user', calls: [{ state: 'connected', held: true }] },
          ],
        },
        metadata: { CorrelationId: 'c-2' },
      }),
    );
    if (!decoded.ok) throw new Error(`decode failed: ${decoded.detail}`);
    expect(counts(createEventMapper().map(decoded.event, NOW))).toEqual({ active: 1, acw: 0 });
  });
});
