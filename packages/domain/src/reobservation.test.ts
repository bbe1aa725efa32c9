import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { initialAgentSnapshot, persistAgent, restoreAgent, stepAgent } from './agent.js';
import type { AgentEvent } from './events.js';
import { createAgentMachine } from './machine.js';
import { DEFAULT_POLICY } from './policy.js';
import {
  type AgentSignals,
  SIGNAL_NAMES,
  type SignalSource,
  type SignalUpdate,
  type SignalValues,
} from './signals.js';
import { Driver, presence, routing, signal, summarize, T0, tick } from './testing/fixtures.js';

const MIN = 60_000;

/** An update without a platform timestamp: `at` is only when it was observed (receive or read time). */
function observed<K extends keyof SignalValues>(
  name: K,
  value: SignalValues[K],
  at: number,
  source: SignalSource = 'event',
): SignalUpdate {
  return { signal: name, value, at, source, observed: true } as SignalUpdate;
}

const seen = (update: SignalUpdate): AgentEvent => ({ type: 'SIGNAL', update });

/** A safety resync: presence and routing as the platform stamped them, station and counts stamped `readAt`. */
function resync(readAt: number, stationId: string | null, presenceAt: number, routingAt: number): AgentEvent {
  return {
    type: 'RESYNC',
    at: readAt,
    updates: [
      {
        signal: 'presence',
        value: { system: 'ON_QUEUE', definitionId: null },
        at: presenceAt,
        source: 'resync',
      },
      { signal: 'routing', value: 'IDLE', at: routingAt, source: 'resync' },
      observed('station', { stationId }, readAt, 'resync'),
      observed('interactions', { active: 0, acw: 0 }, readAt, 'resync'),
    ],
  };
}

/** Three dropped calls on station st-1: repeated-not-responding and the inferred dead station hold. */
function deadStation(d: Driver): void {
  d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), seen(observed('station', { stationId: 'st-1' }, T0)));
  for (const t of [T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]) {
    d.send(routing('NOT_RESPONDING', t), routing('IDLE', t + 5_000));
  }
  d.send(tick(T0 + 3 * MIN + 30_000));
  expect(d.open).toEqual(['on-queue-without-station', 'repeated-not-responding']);
}

describe('a re-observation does not restart a signal', () => {
  test('a safety resync reading the same station keeps repeated-not-responding and the dead station open', () => {
    const d = new Driver();
    deadStation(d);
    const effects = d.send(resync(T0 + 4 * MIN, 'st-1', T0, T0 + 3 * MIN + 5_000));
    expect(summarize(effects)).toEqual([]);
    expect(d.open).toEqual(['on-queue-without-station', 'repeated-not-responding']);
    expect(d.snapshot.context.signals.station).toMatchObject({ at: T0, seenAt: T0 + 4 * MIN });
  });

  test('a station event for the same station does not reset the episodes', () => {
    const d = new Driver();
    deadStation(d);
    const effects = d.send(seen(observed('station', { stationId: 'st-1' }, T0 + 5 * MIN)));
    expect(summarize(effects)).toEqual([]);
    expect(d.open).toEqual(['on-queue-without-station', 'repeated-not-responding']);
  });

  test('a new station still resets the episodes', () => {
    const d = new Driver();
    deadStation(d);
    const effects = d.send(seen(observed('station', { stationId: 'st-2' }, T0 + 5 * MIN)));
    expect(summarize(effects).sort()).toEqual([
      'finding.resolved:on-queue-without-station',
      'finding.resolved:repeated-not-responding',
    ]);
  });

  test('a resync inside a grace does not restart it, and later resyncs add no finding.updated', () => {
    const d = new Driver();
    d.send(
      signal('schedule', { category: 'Break', activityCodeId: null, adherence: null }, T0),
      presence('ON_QUEUE', T0),
      routing('IDLE', T0),
      seen(observed('interactions', { active: 0, acw: 0 }, T0)),
    );
    expect(d.send(resync(T0 + 90_000, 'st-1', T0, T0))).toEqual([]);
    expect(d.send(tick(T0 + 2 * MIN - 1))).toEqual([]);
    const opened = d.send(tick(T0 + 2 * MIN));
    expect(summarize(opened)).toEqual(['finding.opened:on-queue-during-scheduled-off']);
    expect(d.snapshot.context.findings['on-queue-during-scheduled-off']?.since).toBe(T0);
    for (const readAt of [T0 + 10 * MIN, T0 + 20 * MIN]) {
      expect(d.send(resync(readAt, 'st-1', T0, T0))).toEqual([]);
    }
    expect(d.open).toEqual(['on-queue-during-scheduled-off']);
  });

  test('a changed value observed later starts a new since', () => {
    const d = new Driver();
    d.send(seen(observed('interactions', { active: 0, acw: 0 }, T0)));
    d.send(seen(observed('interactions', { active: 0, acw: 0 }, T0 + MIN)));
    d.send(seen(observed('interactions', { active: 1, acw: 0 }, T0 + 2 * MIN)));
    expect(d.snapshot.context.signals.interactions).toEqual({
      value: { active: 1, acw: 0 },
      at: T0 + 2 * MIN,
      seenAt: T0 + 2 * MIN,
      source: 'event',
    });
  });

  test('an observation older than the last one seen is stale, even when newer than since', () => {
    const d = new Driver();
    d.send(seen(observed('station', { stationId: 'st-1' }, T0)));
    d.send(seen(observed('station', { stationId: 'st-1' }, T0 + 2 * MIN)));
    const before = d.snapshot.context;
    d.send(seen(observed('station', { stationId: 'st-9' }, T0 + MIN)));
    expect(d.snapshot.context).toBe(before);
  });

  test('re-reading a NOT_RESPONDING status without a platform time is the same episode', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), seen(observed('routing', 'NOT_RESPONDING', T0 + MIN)));
    d.send(seen(observed('routing', 'NOT_RESPONDING', T0 + 2 * MIN, 'resync')));
    d.send(seen(observed('routing', 'NOT_RESPONDING', T0 + 3 * MIN, 'resync')));
    expect(d.snapshot.context.episodes).toEqual([T0 + MIN]);
    expect(d.open).not.toContain('repeated-not-responding');
  });

  test('a snapshot persisted before `seenAt` existed still loads, with seenAt = at', () => {
    const machine = createAgentMachine(DEFAULT_POLICY);
    const persisted = persistAgent(initialAgentSnapshot(machine, 'agent-old', T0));
    const old = {
      ...persisted,
      context: {
        ...persisted.context,
        signals: {
          presence: { value: { system: 'ON_QUEUE', definitionId: null }, at: T0, source: 'event' },
          station: { value: { stationId: 'st-1' }, at: T0 + 5, source: 'resync' },
        },
      },
    };
    const restored = restoreAgent(machine, JSON.parse(JSON.stringify(old)));
    expect(restored.context.signals.station).toEqual({
      value: { stationId: 'st-1' },
      at: T0 + 5,
      seenAt: T0 + 5,
      source: 'resync',
    });
    expect(restored.context.signals.presence?.seenAt).toBe(T0);
  });
});

const history: fc.Arbitrary<AgentEvent[]> = fc.array(
  fc.oneof(
    fc
      .record({
        system: fc.constantFrom('ON_QUEUE', 'AVAILABLE', 'BREAK', 'OFFLINE' as const),
        n: fc.integer({ min: 0, max: 20 }),
      })
      .map(({ system, n }) => presence(system, T0 + n * 15_000)),
    fc
      .record({
        status: fc.constantFrom('OFF_QUEUE', 'IDLE', 'NOT_RESPONDING', 'INTERACTING' as const),
        n: fc.integer({ min: 0, max: 20 }),
      })
      .map(({ status, n }) => routing(status, T0 + n * 15_000)),
    fc
      .record({ id: fc.constantFrom(null, 'st-1', 'st-2'), n: fc.integer({ min: 0, max: 20 }) })
      .map(({ id, n }) => seen(observed('station', { stationId: id }, T0 + n * 15_000))),
    fc
      .record({ active: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 0, max: 20 }) })
      .map(({ active, n }) => seen(observed('interactions', { active, acw: 0 }, T0 + n * 15_000))),
    fc
      .record({
        category: fc.constantFrom('OnQueueWork', 'Break' as const),
        n: fc.integer({ min: 0, max: 20 }),
      })
      .map(({ category, n }) =>
        signal('schedule', { category, activityCodeId: null, adherence: null }, T0 + n * 15_000),
      ),
  ),
  { minLength: 1, maxLength: 20 },
);

/** Every known signal observed again at `at`, unchanged and without a platform timestamp. */
function reread(signals: AgentSignals, at: number): SignalUpdate[] {
  const out: SignalUpdate[] = [];
  for (const name of SIGNAL_NAMES) {
    const s = signals[name];
    if (s !== undefined) out.push(observed(name, s.value as never, at, 'resync'));
  }
  return out;
}

describe('re-observing unchanged values is like time passing', () => {
  test('a re-read of every signal, unchanged, has the effects and findings of a TICK at the read time', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 900_000 }), (events, later) => {
        const machine = createAgentMachine(DEFAULT_POLICY);
        let snapshot = initialAgentSnapshot(machine, 'agent-p', T0);
        for (const event of events) snapshot = stepAgent(machine, snapshot, event).snapshot;
        const { signals, clock } = snapshot.context;
        let seenMax = clock;
        for (const name of SIGNAL_NAMES) seenMax = Math.max(seenMax, signals[name]?.seenAt ?? 0);
        const at = seenMax + later;
        const reread1 = stepAgent(machine, snapshot, { type: 'RESYNC', at, updates: reread(signals, at) });
        const ticked = stepAgent(machine, snapshot, { type: 'TICK', now: at });
        expect(reread1.effects).toEqual(ticked.effects);
        expect(reread1.snapshot.context.findings).toEqual(ticked.snapshot.context.findings);
        expect(reread1.snapshot.context.deadline).toBe(ticked.snapshot.context.deadline);
        expect(reread1.snapshot.context.episodes).toEqual(ticked.snapshot.context.episodes);
        for (const name of SIGNAL_NAMES) {
          expect(reread1.snapshot.context.signals[name]?.at).toBe(signals[name]?.at);
          expect(reread1.snapshot.context.signals[name]?.value).toEqual(signals[name]?.value);
        }
        // A second re-read later still changes no finding.
        const at2 = at + later;
        const reread2 = stepAgent(machine, reread1.snapshot, {
          type: 'RESYNC',
          at: at2,
          updates: reread(signals, at2),
        });
        const ticked2 = stepAgent(machine, ticked.snapshot, { type: 'TICK', now: at2 });
        expect(reread2.effects).toEqual(ticked2.effects);
      }),
      { numRuns: 300 },
    );
  });
});
