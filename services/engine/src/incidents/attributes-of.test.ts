import type { AgentSignals, ScheduleSegment } from '@lockstep/domain';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { attributesOf } from './attributes-of.js';

const CHICAGO = 'America/Chicago';
const local = (iso: string, zone = CHICAGO) => DateTime.fromISO(iso, { zone }).toMillis();
const seg = (start: number, end: number, category: ScheduleSegment['category']): ScheduleSegment => ({
  start,
  end,
  category,
  activityCodeId: '0',
  timeOffRequestId: null,
});
const stamp = { at: 0, seenAt: 0, source: 'resync' as const };
const withSchedule = (segments: ScheduleSegment[]) =>
  ({
    plannedSchedule: { ...stamp, value: { segments, changedAt: null, change: null } },
  }) as unknown as AgentSignals;

const shiftStart = (signals: AgentSignals | undefined, now: number, timeZone: string | null = CHICAGO) =>
  attributesOf({ memberships: undefined, user: undefined, wfm: { timeZone }, signals, now }).shiftStart;

describe('the shiftStart attribute', () => {
  // Sunday 8 March 2026: Chicago moves to CDT at 02:00. Early shifts start at 06:00 local on both sides.
  const saturday = [
    seg(local('2026-03-07T06:00'), local('2026-03-07T10:00'), 'OnQueueWork'),
    seg(local('2026-03-07T10:00'), local('2026-03-07T10:30'), 'Break'),
    seg(local('2026-03-07T10:30'), local('2026-03-07T14:30'), 'OnQueueWork'),
  ];
  const sunday = [
    seg(local('2026-03-08T06:00'), local('2026-03-08T14:00'), 'OnQueueWork'),
    seg(local('2026-03-08T14:00'), local('2026-03-09T00:00'), 'Unscheduled'),
  ];
  const signals = withSchedule([...saturday, ...sunday]);

  test('is the local start, in the business unit zone, of the shift covering now, across a DST change', () => {
    expect(shiftStart(signals, local('2026-03-07T10:15'))).toBe('06:00');
    // After Saturday's shift: Sunday's, whose 06:00 is CDT (UTC-5) where Saturday's was CST (UTC-6).
    expect(shiftStart(signals, local('2026-03-07T20:00'))).toBe('06:00');
    expect(local('2026-03-08T06:00') - local('2026-03-07T06:00')).toBe(23 * 3_600_000);
  });

  test('names the zone when the business unit has none, and is null with no shift ahead', () => {
    expect(shiftStart(signals, local('2026-03-07T10:15'), null)).toBe('12:00 UTC');
    expect(shiftStart(signals, local('2026-03-08T15:00'))).toBeNull();
    expect(shiftStart(undefined, local('2026-03-08T15:00'))).toBeNull();
  });

  test('a shift that crosses midnight keeps the evening start', () => {
    const night = withSchedule([
      seg(
        local('2026-11-01T22:00', 'America/Los_Angeles'),
        local('2026-11-02T06:00', 'America/Los_Angeles'),
        'OnQueueWork',
      ),
    ]);
    expect(shiftStart(night, local('2026-11-02T01:00', 'America/Los_Angeles'), 'America/Los_Angeles')).toBe(
      '22:00',
    );
  });
});
