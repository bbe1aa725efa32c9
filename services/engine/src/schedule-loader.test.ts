import { scheduleAt } from '@lockstep/domain';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { scheduleWindow } from './schedule-loader.js';
import { activityCategories, scheduleSegments } from './schedule-mapping.js';
import { timeOffText } from './time-off.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const local = (text: string, zone: string) => DateTime.fromISO(text, { zone }).toMillis();
const categories = activityCategories([
  { id: 'onq', category: 'OnQueueWork' },
  { id: 'brk', category: 'Break' },
]);

describe('the schedule window: yesterday 00:00 to the end of tomorrow in the business unit zone', () => {
  test.each([
    // Chicago: CST → CDT on 2026-03-08 (23 h), CDT → CST on 2026-11-01 (25 h).
    ['America/Chicago', '2026-03-08T12:00', '2026-03-07T06:00:00.000Z', '2026-03-10T05:00:00.000Z', 71],
    ['America/Chicago', '2026-11-01T12:00', '2026-10-31T05:00:00.000Z', '2026-11-03T06:00:00.000Z', 73],
    ['America/Los_Angeles', '2026-03-09T01:00', '2026-03-08T08:00:00.000Z', '2026-03-11T07:00:00.000Z', 71],
    ['America/Los_Angeles', '2026-11-02T23:59', '2026-11-01T07:00:00.000Z', '2026-11-04T08:00:00.000Z', 73],
    // Sydney: AEDT → AEST on 2026-04-05 (25 h), AEST → AEDT on 2026-10-04 (23 h).
    ['Australia/Sydney', '2026-04-05T09:00', '2026-04-03T13:00:00.000Z', '2026-04-06T14:00:00.000Z', 73],
    ['Australia/Sydney', '2026-10-04T09:00', '2026-10-02T14:00:00.000Z', '2026-10-05T13:00:00.000Z', 71],
  ])('%s at %s', (zone, at, start, end, hours) => {
    const window = scheduleWindow(local(at, zone), zone);
    expect([iso(window.start), iso(window.end)]).toEqual([start, end]);
    expect((window.end - window.start) / HOUR).toBe(hours);
  });

  test('a local date that is already tomorrow in UTC (Sydney morning) still starts at the local yesterday', () => {
    // 2026-11-27 07:00 in Sydney is 2026-11-26 20:00 UTC.
    const window = scheduleWindow(Date.parse('2026-11-26T20:00:00Z'), 'Australia/Sydney');
    expect(iso(window.start)).toBe('2026-11-25T13:00:00.000Z');
  });
});

describe('shifts that cross midnight and a DST change', () => {
  test.each([
    // A night shift 22:00–06:00 local across the spring-forward night is 7 real hours.
    ['America/Chicago', '2026-03-07T22:00', '2026-03-08T06:00', 7],
    ['America/Los_Angeles', '2026-10-31T23:00', '2026-11-01T07:00', 9],
    ['Australia/Sydney', '2026-10-03T22:00', '2026-10-04T06:00', 7],
    ['Australia/Sydney', '2026-04-04T22:00', '2026-04-05T06:00', 9],
  ])('%s %s to %s', (zone, from, to, hours) => {
    const start = local(from, zone);
    const end = local(to, zone);
    const minutes = (end - start) / 60_000;
    // The platform sends UTC start instants and lengths; the search window in the zone must include the shift.
    const { segments } = scheduleSegments(
      {
        shifts: [
          {
            activities: [
              { startDate: iso(start), lengthMinutes: minutes - 60, activityCodeId: 'onq' },
              { startDate: iso(end - HOUR), lengthMinutes: 60, activityCodeId: 'brk' },
            ],
          },
        ],
      },
      zone,
      categories,
    );
    expect((end - start) / HOUR).toBe(hours);
    const window = scheduleWindow(local(to, zone) - HOUR, zone);
    expect(window.start).toBeLessThanOrEqual(start);
    // Just after local midnight: on-queue work since yesterday's start, next boundary at the break.
    const afterMidnight =
      DateTime.fromMillis(start, { zone }).plus({ days: 1 }).startOf('day').toMillis() + 1;
    expect(scheduleAt(segments, afterMidnight)).toEqual({
      category: 'OnQueueWork',
      activityCodeId: 'onq',
      since: start,
      nextBoundary: end - HOUR,
    });
    expect(scheduleAt(segments, end)).toMatchObject({
      category: 'Unscheduled',
      since: end,
      nextBoundary: null,
    });
  });
});

describe('time off as wall-clock text for findings', () => {
  test.each([
    [
      {
        start: local('2024-03-14T00:00', 'America/Chicago'),
        end: local('2024-03-15T00:00', 'America/Chicago'),
      },
      'America/Chicago',
      'Thu 14 Mar (full day CDT)',
    ],
    [
      {
        start: local('2026-11-28T08:00', 'America/Chicago'),
        end: local('2026-11-28T16:00', 'America/Chicago'),
      },
      'America/Chicago',
      'Sat 28 Nov 08:00–16:00 CST',
    ],
    // The 25 h day when Sydney leaves daylight time is still one full day.
    [
      {
        start: local('2026-04-05T00:00', 'Australia/Sydney'),
        end: local('2026-04-06T00:00', 'Australia/Sydney'),
      },
      'Australia/Sydney',
      'Sun 5 Apr (full day GMT+11)',
    ],
    [
      {
        start: local('2026-11-01T22:00', 'America/Los_Angeles'),
        end: local('2026-11-02T02:00', 'America/Los_Angeles'),
      },
      'America/Los_Angeles',
      'Sun 1 Nov 22:00 – Mon 2 Nov 02:00 PST',
    ],
  ])('%#: %s', (interval, zone, text) => {
    expect(timeOffText(interval, zone)).toBe(text);
  });
});
