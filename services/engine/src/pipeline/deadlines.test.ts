import { createManualClock } from '@lockstep/genesys';
import { describe, expect, it } from 'vitest';
import { createDeadlines } from './deadlines.js';

describe('deadlines', () => {
  it('fires due agents in deadline order with a single timer', () => {
    const clock = createManualClock(1_000);
    const fired: Array<[string[], number]> = [];
    const d = createDeadlines({ clock, onDue: (ids, now) => fired.push([[...ids], now]) });
    d.set('b', 1_200);
    d.set('a', 1_100);
    d.set('c', 1_500);
    expect(clock.pending()).toBe(1);
    clock.advance(100);
    expect(fired).toEqual([[['a'], 1_100]]);
    clock.advance(400);
    expect(fired.slice(1)).toEqual([
      [['b'], 1_200],
      [['c'], 1_500],
    ]);
    expect(d.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('honours rescheduling and clearing (stale heap entries never fire)', () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    const d = createDeadlines({ clock, onDue: (ids) => fired.push(...ids) });
    d.set('a', 100);
    d.set('a', 300);
    d.set('b', 200);
    d.set('b', null);
    clock.advance(250);
    expect(fired).toEqual([]);
    clock.advance(50);
    expect(fired).toEqual(['a']);
  });

  it('never fires sooner than the minimum delay for a deadline already past', () => {
    const clock = createManualClock(10_000);
    const fired: number[] = [];
    const d = createDeadlines({ clock, minDelayMs: 5, onDue: (_ids, now) => fired.push(now) });
    d.set('a', 9_000);
    clock.advance(4);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([10_005]);
  });

  it('stops on close', () => {
    const clock = createManualClock(0);
    const fired: string[] = [];
    const d = createDeadlines({ clock, onDue: (ids) => fired.push(...ids) });
    d.set('a', 10);
    d.close();
    clock.advance(100);
    expect(fired).toEqual([]);
  });
});
