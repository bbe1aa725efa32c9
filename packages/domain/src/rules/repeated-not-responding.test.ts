import { describe, expect, test } from 'vitest';
import { Driver, presence, routing, signal, station, summarize, T0, tick } from '../testing/fixtures.js';

const MIN = 60_000;

function dropCalls(d: Driver, times: number[]): void {
  for (const t of times) d.send(routing('NOT_RESPONDING', t), routing('IDLE', t + 5_000));
}

describe('repeated-not-responding', () => {
  test('the third episode within 10 minutes opens it; the station is then inferred dead', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), station('st-1', T0));
    dropCalls(d, [T0 + MIN, T0 + 2 * MIN]);
    expect(d.open).toEqual([]);
    const effects = d.send(routing('NOT_RESPONDING', T0 + 3 * MIN));
    expect(summarize(effects)).toEqual(['finding.opened:repeated-not-responding']);
    expect(d.snapshot.context.findings['repeated-not-responding']?.evidence[0]).toEqual({
      name: 'episodes',
      value: `${T0 + 3 * MIN},${T0 + 2 * MIN},${T0 + MIN}`,
      at: T0 + 3 * MIN,
    });
    d.send(routing('IDLE', T0 + 3 * MIN + 1_000), tick(T0 + 3 * MIN + 21_000));
    expect(d.open).toEqual(['on-queue-without-station', 'repeated-not-responding']);
  });

  test('resolves when the window no longer holds enough episodes; the deadline says when', () => {
    const d = new Driver({ rules: { 'on-queue-without-station': { enabled: false } } });
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), station('st-1', T0));
    dropCalls(d, [T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(d.open).toContain('repeated-not-responding');
    expect(d.lastDeadline).toBe(T0 + 11 * MIN);
    expect(d.send(tick(T0 + 11 * MIN - 1))).toEqual([]);
    expect(summarize(d.send(tick(T0 + 11 * MIN)))).toContain('finding.resolved:repeated-not-responding');
  });

  test('episodes reported out of order and duplicated still count once each', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), station('st-1', T0), routing('IDLE', T0 + 10 * MIN));
    // Late NOT_RESPONDING events (older than the known IDLE) are still episodes.
    d.send(routing('NOT_RESPONDING', T0 + 3 * MIN), routing('NOT_RESPONDING', T0 + MIN));
    d.send(routing('NOT_RESPONDING', T0 + MIN));
    expect(d.snapshot.context.episodes).toEqual([T0 + 3 * MIN, T0 + MIN]);
    d.send(routing('NOT_RESPONDING', T0 + 5 * MIN));
    expect(d.open).toContain('repeated-not-responding');
  });

  test('episodes before a station (re)association or a healthy report do not count', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), station('st-1', T0));
    dropCalls(d, [T0 + MIN, T0 + 2 * MIN]);
    d.send(station('st-2', T0 + 2 * MIN + 30_000));
    dropCalls(d, [T0 + 3 * MIN]);
    expect(d.open).toEqual([]);
    dropCalls(d, [T0 + 4 * MIN]);
    d.send(signal('stationHealth', 'ok', T0 + 4 * MIN + 30_000));
    dropCalls(d, [T0 + 5 * MIN]);
    expect(d.open).toEqual([]);
  });
});
