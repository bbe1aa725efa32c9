import { describe, expect, test } from 'vitest';
import { createActor, initialTransition, transition } from 'xstate';
import { initialAgentSnapshot, nextDeadline, persistAgent, restoreAgent, stepAgent } from './agent.js';
import { SnapshotError } from './errors.js';
import type { AgentEvent } from './events.js';
import { createAgentMachine } from './machine.js';
import { DEFAULT_POLICY } from './policy.js';
import { interactions, presence, routing, station, T0, tick } from './testing/fixtures.js';

const machine = createAgentMachine(DEFAULT_POLICY);

function run(events: readonly AgentEvent[]) {
  let snapshot = initialAgentSnapshot(machine, 'agent-7', T0);
  const effects = [];
  for (const event of events) {
    const result = stepAgent(machine, snapshot, event);
    snapshot = result.snapshot;
    effects.push(...result.effects);
  }
  return { snapshot, effects };
}

const history: AgentEvent[] = [
  presence('ON_QUEUE', T0, 'def-oq'),
  station('st-1', T0),
  routing('IDLE', T0),
  routing('NOT_RESPONDING', T0 + 60_000),
  routing('IDLE', T0 + 65_000),
  routing('NOT_RESPONDING', T0 + 120_000),
  { type: 'DECLARE', routing: 'IDLE', by: 'lockstep', at: T0 + 121_000, ttlMs: 600_000 },
  interactions(1, 0, T0 + 125_000),
  tick(T0 + 160_000),
];
const future: AgentEvent[] = [
  interactions(0, 0, T0 + 170_000),
  routing('NOT_RESPONDING', T0 + 180_000),
  tick(T0 + 250_000),
  routing('OFF_QUEUE', T0 + 260_000),
  tick(T0 + 900_000),
];

describe('agent snapshots', () => {
  test('the initial snapshot knows nothing', () => {
    const snapshot = initialAgentSnapshot(machine, 'agent-7', T0);
    expect(snapshot.value).toEqual({ status: 'unknown', health: 'inSync' });
    expect(snapshot.context).toMatchObject({ agentId: 'agent-7', clock: T0, signals: {}, findings: {} });
    expect(nextDeadline(snapshot)).toBeNull();
  });

  test('the initial snapshot is the one xstate initialTransition() gives, for every agent', () => {
    for (const [agentId, now] of [
      ['agent-7', T0],
      ['agent-8', T0 + 5],
    ] as const) {
      const snapshot = initialAgentSnapshot(machine, agentId, now);
      const [reference, actions] = initialTransition(machine, { agentId, now });
      expect(actions).toEqual([]);
      expect(snapshot.status).toBe('active');
      expect(snapshot.value).toEqual(reference.value);
      expect(snapshot.context).toEqual(reference.context);
      expect(persistAgent(snapshot)).toEqual(persistAgent(reference));
      const event = presence('ON_QUEUE', now + 1);
      expect(persistAgent(stepAgent(machine, snapshot, event).snapshot)).toEqual(
        persistAgent(stepAgent(machine, reference, event).snapshot),
      );
    }
  });

  test('stepAgent is pure: the input snapshot is untouched', () => {
    const before = initialAgentSnapshot(machine, 'agent-7', T0);
    const copy = JSON.stringify(persistAgent(before));
    stepAgent(machine, before, presence('ON_QUEUE', T0));
    expect(JSON.stringify(persistAgent(before))).toBe(copy);
  });

  test('round-trips through JSON and continues exactly like the original', () => {
    const { snapshot } = run(history);
    expect(snapshot.context.episodes).toHaveLength(2);
    expect(snapshot.context.declared).not.toBeNull();
    const stored = JSON.stringify(persistAgent(snapshot));
    const restored = restoreAgent(machine, JSON.parse(stored));
    expect(restored.value).toEqual(snapshot.value);
    expect(restored.context).toEqual(snapshot.context);
    expect(nextDeadline(restored)).toBe(nextDeadline(snapshot));

    let a = snapshot;
    let b = restored;
    for (const event of future) {
      const ra = stepAgent(machine, a, event);
      const rb = stepAgent(machine, b, event);
      expect(rb.effects).toEqual(ra.effects);
      expect(rb.nextDeadline).toBe(ra.nextDeadline);
      a = ra.snapshot;
      b = rb.snapshot;
    }
    expect(b.value).toEqual(a.value);
    expect(persistAgent(b)).toEqual(persistAgent(a));
  });

  test('stepAgent agrees with xstate transition() on every step', () => {
    let snapshot = initialAgentSnapshot(machine, 'agent-7', T0);
    for (const event of [...history, ...future]) {
      const [reference, actions] = transition(machine, snapshot, event);
      const result = stepAgent(machine, snapshot, event);
      expect(result.snapshot.value).toEqual(reference.value);
      expect(result.snapshot.context).toEqual(reference.context);
      expect(result.effects.map((e) => e.type)).toEqual(actions.map((a) => a.type));
      snapshot = result.snapshot;
    }
  });

  test('steps fed with copies of each event agree, and the state value mirrors the context', () => {
    const mirrored = (status: string) => {
      const [head, leaf] = status.split('.');
      return leaf === undefined ? head : { [head as string]: leaf };
    };
    let snapshot = initialAgentSnapshot(machine, 'agent-7', T0);
    for (const event of [...history, ...future]) {
      const [reference, actions] = transition(machine, snapshot, structuredClone(event));
      const result = stepAgent(machine, snapshot, event);
      expect(result.snapshot.context).toEqual(reference.context);
      expect(result.snapshot.value).toEqual(reference.value);
      expect(result.effects.map((e) => e.type)).toEqual(actions.map((a) => a.type));
      expect(result.snapshot.value).toEqual({
        status: mirrored(result.snapshot.context.status),
        health: result.snapshot.context.health,
      });
      snapshot = result.snapshot;
    }
    expect(snapshot.value).not.toEqual({ status: 'unknown', health: 'inSync' });
  });

  test('the persisted form stays small', () => {
    const { snapshot } = run([...history, ...future]);
    expect(JSON.stringify(persistAgent(snapshot)).length).toBeLessThan(2_048);
  });

  test('corrupt or foreign data is refused with every problem listed', () => {
    expect(() => restoreAgent(machine, null)).toThrow(SnapshotError);
    const { snapshot } = run(history);
    const persisted = JSON.parse(JSON.stringify(persistAgent(snapshot)));
    persisted.context.clock = 'soon';
    persisted.context.signals.routing.value = 'DANCING';
    let error: unknown;
    try {
      restoreAgent(machine, persisted);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).problems.map((p) => p.path).sort()).toEqual([
      'context.clock',
      'context.signals.routing.value',
    ]);

    const wrongState = JSON.parse(JSON.stringify(persistAgent(snapshot)));
    wrongState.value = { status: 'dancing', health: 'inSync' };
    expect(() => restoreAgent(machine, wrongState)).toThrow(SnapshotError);
    expect(() => restoreAgent(machine, { ...persistAgent(snapshot), v: 2 })).toThrow(/invalid persisted/);
  });
});

describe('machine states', () => {
  test('the status region follows presence and routing', () => {
    const cases: [AgentEvent[], unknown][] = [
      [[presence('OFFLINE', T0)], 'offline'],
      [[presence('BREAK', T0)], 'available'],
      [[presence('ON_QUEUE', T0)], { onQueue: 'unknown' }],
      [[presence('ON_QUEUE', T0), routing('IDLE', T0)], { onQueue: 'idle' }],
      [[presence('ON_QUEUE', T0), routing('COMMUNICATING', T0)], { onQueue: 'interacting' }],
      [[presence('ON_QUEUE', T0), routing('NOT_RESPONDING', T0)], { onQueue: 'notResponding' }],
      [[presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0)], { onQueue: 'notRoutable' }],
    ];
    for (const [events, status] of cases) expect(run(events).snapshot.value).toMatchObject({ status });
  });

  test('effect actions can be wired at the edge with provide() (actor form)', () => {
    const seen: string[] = [];
    const wired = machine.provide({
      actions: {
        'finding.opened': (_, params) => {
          seen.push(`opened:${params.finding.ruleId}`);
        },
        'correction.intended': (_, params) => {
          seen.push(`intended:${params.intent.kind}`);
        },
      },
    });
    const actor = createActor(wired, { input: { agentId: 'agent-7', now: T0 } }).start();
    for (const event of [presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 15_000)])
      actor.send(event);
    expect(seen).toEqual(['opened:on-queue-not-routable', 'intended:set-routing-status']);
    expect(actor.getSnapshot().value).toMatchObject({ health: 'desynced' });
    actor.stop();
  });
});
