import { describe, expect, test } from 'vitest';
import type { AgentEvent } from '../events.js';
import { Driver, presence, routing, summarize, T0, tick } from '../testing/fixtures.js';

const MIN = 60_000;
const declarePresence = (at: number, ttlMs = 30 * MIN): AgentEvent => ({
  type: 'DECLARE',
  presence: 'ON_QUEUE',
  by: 'external-wfm',
  at,
  ttlMs,
});

describe('state-not-sticking', () => {
  test('a declared presence reverted within the window opens at once; restoring it resolves', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), declarePresence(T0));
    const effects = d.send(presence('BREAK', T0 + 30_000));
    expect(summarize(effects)).toEqual(['finding.opened:state-not-sticking']);
    const opened = effects[0];
    if (opened?.type !== 'finding.opened') throw new Error('expected an opened finding');
    expect(opened.finding.evidence[0]).toEqual({
      name: 'declared',
      value: 'presence=ON_QUEUE by external-wfm',
      at: T0,
    });
    expect(summarize(d.send(presence('ON_QUEUE', T0 + 40_000)))).toContain(
      'finding.resolved:state-not-sticking',
    );
  });

  test('a change after the window is not a fight', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), declarePresence(T0), presence('BREAK', T0 + 2 * MIN + 1));
    expect(d.open).toEqual([]);
  });

  test('a change at exactly the end of the window still counts', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), declarePresence(T0), presence('BREAK', T0 + 2 * MIN));
    expect(d.open).toEqual(['state-not-sticking']);
  });

  test('calls arriving after routing IDLE was declared are legitimate', () => {
    const d = new Driver();
    d.send({ type: 'DECLARE', routing: 'IDLE', by: 'lockstep', at: T0, ttlMs: 10 * MIN });
    d.send(
      presence('ON_QUEUE', T0),
      routing('INTERACTING', T0 + 10_000),
      routing('COMMUNICATING', T0 + 20_000),
    );
    expect(d.open).toEqual([]);
    d.send(routing('OFF_QUEUE', T0 + 30_000));
    expect(d.open).toContain('state-not-sticking');
  });

  test('the finding resolves when the declaration expires; the deadline says when', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), declarePresence(T0, 5 * MIN), presence('AWAY', T0 + MIN));
    expect(d.open).toEqual(['state-not-sticking']);
    expect(d.lastDeadline).toBe(T0 + 5 * MIN);
    expect(summarize(d.send(tick(T0 + 5 * MIN)))).toEqual(['finding.resolved:state-not-sticking']);
    expect(d.snapshot.context.declared).toBeNull();
  });

  test('with action correct it re-applies the declared state', () => {
    const d = new Driver({ rules: { 'state-not-sticking': { action: 'correct' } } });
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), declarePresence(T0), presence('AWAY', T0 + MIN));
    expect(d.effects.at(-1)).toMatchObject({
      type: 'correction.intended',
      intent: { kind: 'set-presence', target: { presence: 'ON_QUEUE' } },
    });
  });
});
