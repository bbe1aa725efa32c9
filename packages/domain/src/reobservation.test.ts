import { describe, expect, test } from 'vitest';
import { initialAgentSnapshot, persistAgent, restoreAgent } from './agent.js';
import type { AgentEvent } from './events.js';
import { createAgentMachine } from './machine.js';
import { DEFAULT_POLICY } from './policy.js';
import type { SignalSource, SignalUpdate, SignalValues } from './signals.js';
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
