import { describe, expect, test } from 'vitest';
import type { Effect } from './effects.js';
import { Driver, presence, routing, T0, tick } from './testing/fixtures.js';

function findingOf(effect: Effect | undefined) {
  if (effect === undefined || !('finding' in effect)) throw new Error('expected a finding effect');
  return effect.finding;
}

describe('finding lifecycle', () => {
  test('opened, updated when its facts change, resolved when the condition clears; same id throughout', () => {
    const d = new Driver({ rules: { 'on-queue-not-routable': { action: 'alert' } } });
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0));
    const opened = findingOf(d.send(tick(T0 + 15_000))[0]);
    expect(opened).toMatchObject({ openedAt: T0 + 15_000, updatedAt: T0 + 15_000, action: 'alert' });
    expect(opened.resolvedAt).toBeUndefined();

    // A later TICK with nothing new changes nothing.
    expect(d.send(tick(T0 + 20_000))).toEqual([]);

    // The same value reported again with a newer timestamp is new evidence.
    const updatedEffects = d.send(routing('OFF_QUEUE', T0 + 25_000));
    expect(updatedEffects.map((e) => e.type)).toEqual(['finding.updated']);
    const updated = findingOf(updatedEffects[0]);
    expect(updated).toMatchObject({
      id: opened.id,
      openedAt: T0 + 15_000,
      updatedAt: T0 + 25_000,
      since: T0 + 25_000,
    });
    expect(updated.evidence[1]).toEqual({ name: 'routing', value: 'OFF_QUEUE', at: T0 + 25_000 });

    const resolvedEffects = d.send(routing('IDLE', T0 + 30_000));
    expect(resolvedEffects.map((e) => e.type)).toEqual(['finding.resolved']);
    expect(findingOf(resolvedEffects[0])).toMatchObject({ id: opened.id, resolvedAt: T0 + 30_000 });
    expect(d.snapshot.context.findings).toEqual({});
    expect(d.snapshot.context.health).toBe('inSync');
  });

  test('a stale update changes nothing and emits nothing', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0 + 10_000), routing('IDLE', T0 + 10_000));
    const before = d.snapshot.context;
    expect(d.send(routing('OFF_QUEUE', T0))).toEqual([]);
    expect(d.snapshot.context.signals).toBe(before.signals);
    expect(d.snapshot.context).toEqual(before);
  });

  test('a duplicate update changes nothing', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 15_000));
    const before = d.snapshot.context;
    expect(d.send(routing('OFF_QUEUE', T0), presence('ON_QUEUE', T0))).toEqual([]);
    expect(d.snapshot.context).toEqual(before);
  });

  test('the clock never goes back: an old TICK evaluates at the latest time seen', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 15_000));
    d.send(tick(T0));
    expect(d.snapshot.context.clock).toBe(T0 + 15_000);
    expect(d.open).toEqual(['on-queue-not-routable']);
  });

  test('RESYNC merges a batch like individual updates', () => {
    const d = new Driver();
    d.send({
      type: 'RESYNC',
      at: T0 + 20_000,
      updates: [
        {
          signal: 'presence',
          value: { system: 'ON_QUEUE', definitionId: 'def-oq' },
          at: T0,
          source: 'resync',
        },
        { signal: 'routing', value: 'OFF_QUEUE', at: T0, source: 'resync' },
      ],
    });
    expect(d.snapshot.context.signals.presence).toEqual({
      value: { system: 'ON_QUEUE', definitionId: 'def-oq' },
      at: T0,
      seenAt: T0,
      source: 'resync',
    });
    expect(d.open).toEqual(['on-queue-not-routable']);
  });
});
