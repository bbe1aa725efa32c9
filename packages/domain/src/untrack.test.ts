import { describe, expect, test } from 'vitest';
import { Driver, presence, routing, summarize, T0, tick } from './testing/fixtures.js';

describe('an agent leaving the selection', () => {
  test('resolves its open findings with the resolution untracked and drops its deadline', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 60_000));
    expect(d.open).toEqual(['on-queue-not-routable']);
    const effects = d.send({ type: 'UNTRACKED', at: T0 + 90_000 });
    expect(summarize(effects)).toEqual(['finding.resolved:on-queue-not-routable']);
    expect(effects[0]).toMatchObject({
      finding: {
        id: `agent-1:on-queue-not-routable:${T0 + 60_000}`,
        resolvedAt: T0 + 90_000,
        updatedAt: T0 + 90_000,
        resolution: 'untracked',
      },
    });
    expect(d.open).toEqual([]);
    expect(d.snapshot.value).toEqual({ status: { onQueue: 'notRoutable' }, health: 'inSync' });
    expect(d.lastDeadline).toBeNull();
  });

  test('cancels a pending grace: nothing opens later', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0));
    expect(d.lastDeadline).toBe(T0 + 15_000);
    expect(d.send({ type: 'UNTRACKED', at: T0 + 1_000 })).toEqual([]);
    expect(d.snapshot.context.health).toBe('inSync');
    expect(d.lastDeadline).toBeNull();
  });

  test('a finding that resolves because its condition cleared carries no resolution', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 60_000));
    const [resolved] = d.send(routing('IDLE', T0 + 70_000));
    expect(resolved?.type).toBe('finding.resolved');
    expect(resolved).not.toHaveProperty('finding.resolution');
  });

  test('an agent selected again is evaluated afresh by its next event', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 60_000));
    d.send({ type: 'UNTRACKED', at: T0 + 90_000 });
    d.send(presence('ON_QUEUE', T0 + 100_000));
    expect(d.snapshot.context.health).toBe('suspect');
    expect(summarize(d.send(tick(T0 + 115_000)))).toContain('finding.opened:on-queue-not-routable');
  });
});
