import { describe, expect, test } from 'vitest';
import type { Effect } from '../effects.js';
import { Driver, interactions, presence, routing, summarize, T0, tick } from '../testing/fixtures.js';
import { flapGuard } from './flap-guard.js';

const intents = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === 'correction.intended' ? [e.intent] : []));

describe('corrections', () => {
  test('never while the agent has an active interaction; planned as soon as it ends', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), interactions(1, 0, T0));
    const opened = d.send(tick(T0 + 15_000));
    expect(summarize(opened)).toEqual(['finding.opened:on-queue-not-routable']);
    expect(opened[0]).toMatchObject({ finding: { correction: 'deferred' } });
    expect(intents(d.send(interactions(0, 1, T0 + 40_000), tick(T0 + 100_000)))).toEqual([]);

    const ended = d.send(interactions(0, 0, T0 + 120_000));
    expect(summarize(ended)).toEqual([
      'finding.updated:on-queue-not-routable',
      'correction.intended:on-queue-not-routable',
    ]);
    expect(ended[0]).toMatchObject({ finding: { correction: 'intended' } });
    expect(intents(ended)[0]).toMatchObject({ notBefore: T0 + 120_000, kind: 'set-routing-status' });
  });

  test('the flap guard suppresses and escalates, then lets corrections through once the window frees', () => {
    const d = new Driver({
      rules: { 'repeated-not-responding': { enabled: false } },
      corrections: { maxPerWindow: 2, windowMs: 600_000, minSpacingMs: 0 },
    });
    d.send(presence('ON_QUEUE', T0));
    const episode = (start: number) => d.send(routing('NOT_RESPONDING', start), tick(start + 30_000));
    expect(intents(episode(T0))).toHaveLength(1);
    d.send(routing('IDLE', T0 + 40_000));
    expect(intents(episode(T0 + 60_000))).toHaveLength(1);
    d.send(routing('IDLE', T0 + 100_000));

    const third = episode(T0 + 120_000);
    expect(intents(third)).toEqual([]);
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({
      finding: { ruleId: 'stuck-not-responding', correction: 'suppressed', severity: 'critical' },
    });
    // The first correction (at T0+30s) leaves the window at T0+630s.
    expect(d.lastDeadline).toBe(T0 + 630_000);
    const freed = d.send(tick(T0 + 630_000));
    expect(summarize(freed)).toEqual([
      'finding.updated:stuck-not-responding',
      'correction.intended:stuck-not-responding',
    ]);
    expect(freed[0]).toMatchObject({ finding: { correction: 'intended', severity: 'warning' } });
  });

  test('a finding still open after retryAfterMs gets another attempt, spaced by minSpacingMs', () => {
    const d = new Driver({ corrections: { retryAfterMs: 30_000, minSpacingMs: 60_000 } });
    d.send(presence('ON_QUEUE', T0), routing('NOT_RESPONDING', T0));
    const first = intents(d.send(tick(T0 + 30_000)));
    expect(first).toMatchObject([{ attempt: 1, notBefore: T0 + 30_000 }]);
    expect(d.lastDeadline).toBe(T0 + 60_000);
    const second = intents(d.send(tick(T0 + 60_000)));
    expect(second).toMatchObject([
      { attempt: 2, notBefore: T0 + 90_000, id: `agent-1:stuck-not-responding:${T0 + 30_000}:c2` },
    ]);
  });

  test('rules without a safe correction say so', () => {
    const d = new Driver({ rules: { 'on-queue-without-station': { action: 'correct' } } });
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), {
      type: 'SIGNAL',
      update: { signal: 'station', value: { stationId: null }, at: T0, source: 'event' },
    });
    const effects = d.send(tick(T0 + 20_000));
    expect(intents(effects)).toEqual([]);
    expect(effects[0]).toMatchObject({ finding: { correction: 'unavailable' } });
  });
});

describe('flapGuard', () => {
  const settings = { maxPerWindow: 2, windowMs: 1_000, minSpacingMs: 100, retryAfterMs: 500 };
  test('spacing, cap and window', () => {
    expect(flapGuard([], 0, settings)).toEqual({ allowed: true, notBefore: 0 });
    expect(flapGuard([0], 50, settings)).toEqual({ allowed: true, notBefore: 100 });
    expect(flapGuard([0, 100], 200, settings)).toEqual({ allowed: false, retryAt: 1_000 });
    expect(flapGuard([0, 100], 1_000, settings)).toEqual({ allowed: true, notBefore: 1_000 });
  });
});
