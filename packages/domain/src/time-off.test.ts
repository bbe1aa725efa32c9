import { describe, expect, test } from 'vitest';
import type { AgentEvent } from './events.js';
import type { TimeOffInterval } from './signals.js';
import { Driver, presence, routing, signal, summarize, T0, tick } from './testing/fixtures.js';
import { nextTimeOffBoundary, timeOffActiveAt, timeOffEndedAt } from './time-off.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const onQueueWork = (at: number): AgentEvent =>
  signal('schedule', { category: 'OnQueueWork', activityCodeId: '0', adherence: null }, at);
const timeOff = (at: number, intervals: TimeOffInterval[], active = false): AgentEvent =>
  signal('timeOff', { active, pending: 0, intervals }, at, 'resync');

describe('time-off intervals', () => {
  const value = {
    active: false,
    pending: 0,
    intervals: [
      { start: T0 + HOUR, end: T0 + 2 * HOUR },
      { start: T0 + 5 * HOUR, end: T0 + 6 * HOUR },
    ],
  };

  test('are active from their start (inclusive) to their end (exclusive)', () => {
    expect(timeOffActiveAt(value, T0 + HOUR - 1)).toBe(false);
    expect(timeOffActiveAt(value, T0 + HOUR)).toBe(true);
    expect(timeOffActiveAt(value, T0 + 2 * HOUR - 1)).toBe(true);
    expect(timeOffActiveAt(value, T0 + 2 * HOUR)).toBe(false);
    expect(timeOffActiveAt(value, T0 + 5 * HOUR + 1)).toBe(true);
  });

  test('a value without intervals (older producers) keeps its read `active`', () => {
    expect(timeOffActiveAt({ active: true, pending: 0 }, T0)).toBe(true);
    expect(timeOffActiveAt({ active: false, pending: 2 }, T0)).toBe(false);
    expect(timeOffActiveAt(undefined, T0)).toBe(false);
  });

  test('name the next boundary and the last end', () => {
    expect(nextTimeOffBoundary(value, T0)).toBe(T0 + HOUR);
    expect(nextTimeOffBoundary(value, T0 + HOUR)).toBe(T0 + 2 * HOUR);
    expect(nextTimeOffBoundary(value, T0 + 3 * HOUR)).toBe(T0 + 5 * HOUR);
    expect(nextTimeOffBoundary(value, T0 + 6 * HOUR)).toBeNull();
    expect(timeOffEndedAt(value, T0 + 3 * HOUR)).toBe(T0 + 2 * HOUR);
    expect(timeOffEndedAt(value, T0 + 7 * HOUR)).toBe(T0 + 6 * HOUR);
    expect(timeOffEndedAt(value, T0 + HOUR)).toBeNull();
  });
});

describe('out-of-adherence-on-queue around time off, with no event arriving', () => {
  test('a time off read before it starts suppresses the rule from its start, on time', () => {
    const d = new Driver();
    d.send(
      onQueueWork(T0),
      presence('AWAY', T0),
      routing('OFF_QUEUE', T0),
      timeOff(T0, [{ start: T0 + 2 * MIN, end: T0 + 3 * HOUR }]),
    );
    // The grace (5 min) would end after the time off starts: the machine wakes at the start.
    expect(d.lastDeadline).toBe(T0 + 2 * MIN);
    expect(d.send(tick(T0 + 2 * MIN))).toEqual([]);
    expect(d.snapshot.context.health).toBe('inSync');
    expect(d.lastDeadline).toBe(T0 + 3 * HOUR);
    expect(d.send(tick(T0 + HOUR))).toEqual([]);
  });

  test('a time off active when read stops suppressing at its end; the grace counts from the end', () => {
    const d = new Driver();
    d.send(
      onQueueWork(T0),
      presence('AWAY', T0),
      routing('OFF_QUEUE', T0),
      timeOff(T0, [{ start: T0 - HOUR, end: T0 + HOUR }], true),
    );
    expect(d.snapshot.context.health).toBe('inSync');
    expect(d.lastDeadline).toBe(T0 + HOUR);
    expect(d.send(tick(T0 + HOUR))).toEqual([]);
    expect(d.snapshot.context.health).toBe('suspect');
    expect(d.lastDeadline).toBe(T0 + HOUR + 5 * MIN);
    expect(d.send(tick(T0 + HOUR + 5 * MIN - 1))).toEqual([]);
    const effects = d.send(tick(T0 + HOUR + 5 * MIN));
    expect(summarize(effects)).toEqual(['finding.opened:out-of-adherence-on-queue']);
    expect(effects[0]).toMatchObject({ finding: { since: T0 + HOUR } });
  });

  test('re-reading the same intervals changes nothing', () => {
    const d = new Driver();
    const intervals = [{ start: T0 + HOUR, end: T0 + 2 * HOUR }];
    d.send(onQueueWork(T0), presence('ON_QUEUE', T0), routing('IDLE', T0), timeOff(T0, intervals));
    const before = d.snapshot.context;
    d.send(timeOff(T0, intervals));
    expect(d.snapshot.context).toBe(before);
  });
});
