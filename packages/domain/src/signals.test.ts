import { describe, expect, test } from 'vitest';
import { type AgentSignals, mergeSignal, type SignalUpdate } from './signals.js';

const routing = (value: SignalUpdate['value'], at: number, source: SignalUpdate['source'] = 'event') =>
  ({ signal: 'routing', value, at, source }) as SignalUpdate;

describe('mergeSignal', () => {
  test('keeps the newest value per signal and discards older updates', () => {
    let s: AgentSignals = {};
    s = mergeSignal(s, routing('IDLE', 200));
    const before = s;
    s = mergeSignal(s, routing('OFF_QUEUE', 100));
    expect(s).toBe(before);
    expect(s.routing).toEqual({ value: 'IDLE', at: 200, seenAt: 200, source: 'event' });
  });

  test('a duplicate changes nothing (same object back)', () => {
    const s = mergeSignal({}, routing('IDLE', 200));
    expect(mergeSignal(s, routing('IDLE', 200))).toBe(s);
  });

  test('a REST read settles two events stamped in the same millisecond, whatever the order', () => {
    const first = routing('OFF_QUEUE', 100); // greater value text: wins among events alone
    const second = routing('IDLE', 100);
    const read = routing('IDLE', 100, 'resync');
    expect(mergeSignal(mergeSignal({}, first), second).routing?.value).toBe('OFF_QUEUE');
    const orders = [
      [first, second, read],
      [read, second, first],
      [second, read, first],
    ];
    for (const order of orders) {
      const merged = order.reduce<AgentSignals>((s, u) => mergeSignal(s, u), {});
      expect(merged.routing).toEqual({ value: 'IDLE', at: 100, seenAt: 100, source: 'resync' });
    }
    // A later event still wins over the read.
    expect(mergeSignal(mergeSignal({}, read), routing('OFF_QUEUE', 101)).routing?.value).toBe('OFF_QUEUE');
  });

  test('ties on `at` are broken by source, then value, whatever the order', () => {
    const a = routing('IDLE', 100);
    const b = routing('OFF_QUEUE', 100);
    expect(mergeSignal(mergeSignal({}, a), b)).toEqual(mergeSignal(mergeSignal({}, b), a));
    const r = routing('IDLE', 100, 'resync');
    expect(mergeSignal(mergeSignal({}, a), r)).toEqual(mergeSignal(mergeSignal({}, r), a));
  });

  test('signals are independent; object values are stored in canonical form', () => {
    let s: AgentSignals = mergeSignal({}, routing('IDLE', 500));
    s = mergeSignal(s, {
      signal: 'interactions',
      value: { acw: 1, active: 0 } as { active: number; acw: number },
      at: 10,
      source: 'event',
    });
    expect(s.routing?.value).toBe('IDLE');
    expect(JSON.stringify(s.interactions?.value)).toBe('{"active":0,"acw":1}');
  });
});
