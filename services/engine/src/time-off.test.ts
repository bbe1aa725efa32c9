import type { TimeOffRequestResponse } from '@lockstep/genesys';
import { describe, expect, it } from 'vitest';
import { timeOffIntervals, timeOffSignal } from './time-off.js';

const SYDNEY = 'Australia/Sydney';
const LOS_ANGELES = 'America/Los_Angeles';
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const request = (x: Partial<TimeOffRequestResponse>) =>
  ({ status: 'APPROVED', ...x }) as TimeOffRequestResponse;
const fullDay = (date: string) => request({ fullDayManagementUnitDates: [date] });
const iso = (i: { start: number; end: number }) => [
  new Date(i.start).toISOString(),
  new Date(i.end).toISOString(),
];

describe('full-day time off, from local midnight to local midnight in the MU zone', () => {
  it.each([
    // Sydney: AEDT (+11) ends on 2024-04-07 (a 25 h day), AEST (+10) ends on 2024-10-06 (a 23 h day).
    [SYDNEY, '2024-04-07', '2024-04-06T13:00:00.000Z', '2024-04-07T14:00:00.000Z', 25],
    [SYDNEY, '2024-10-06', '2024-10-05T14:00:00.000Z', '2024-10-06T13:00:00.000Z', 23],
    [SYDNEY, '2024-03-06', '2024-03-05T13:00:00.000Z', '2024-03-06T13:00:00.000Z', 24],
    // Los Angeles: PDT (-7) starts on 2024-03-10 (23 h), ends on 2024-11-03 (25 h).
    [LOS_ANGELES, '2024-03-10', '2024-03-10T08:00:00.000Z', '2024-03-11T07:00:00.000Z', 23],
    [LOS_ANGELES, '2024-11-03', '2024-11-03T07:00:00.000Z', '2024-11-04T08:00:00.000Z', 25],
    [LOS_ANGELES, '2024-03-05', '2024-03-05T08:00:00.000Z', '2024-03-06T08:00:00.000Z', 24],
  ])('%s %s', (zone, date, start, end, hours) => {
    const [interval] = timeOffIntervals([fullDay(date)], zone, at(start));
    expect(interval && iso(interval)).toEqual([start, end]);
    expect(interval && (interval.end - interval.start) / HOUR).toBe(hours);
  });

  it('is active when the MU date is the day, whatever the UTC date says', () => {
    // 2024-03-06 01:00 in Sydney is still 2024-03-05 in UTC; 2024-03-05 18:00 in Los Angeles is 2024-03-06 in UTC.
    expect(timeOffSignal([fullDay('2024-03-06')], SYDNEY, at('2024-03-05T14:00:00Z')).value).toMatchObject({
      active: true,
    });
    expect(timeOffSignal([fullDay('2024-03-05')], SYDNEY, at('2024-03-05T14:00:00Z')).value).toMatchObject({
      active: false,
    });
    expect(
      timeOffSignal([fullDay('2024-03-05')], LOS_ANGELES, at('2024-03-06T02:00:00Z')).value,
    ).toMatchObject({ active: true });
    expect(
      timeOffSignal([fullDay('2024-03-06')], LOS_ANGELES, at('2024-03-06T02:00:00Z')).value,
    ).toMatchObject({ active: false });
  });
});

describe('partial-day time off', () => {
  it('lasts its duration in elapsed time across a DST change', () => {
    // 01:30 PST on 2024-03-10, two hours: ends at 04:30 PDT, 11:30Z.
    const [interval] = timeOffIntervals(
      [request({ partialDayStartDateTimes: ['2024-03-10T09:30:00Z'], dailyDurationMinutes: 120 })],
      LOS_ANGELES,
      at('2024-03-10T09:00:00Z'),
    );
    expect(interval && iso(interval)).toEqual(['2024-03-10T09:30:00.000Z', '2024-03-10T11:30:00.000Z']);
  });

  it('reads a start without an offset in the MU zone, and takes per-day durations first', () => {
    const intervals = timeOffIntervals(
      [
        request({
          partialDayStartDateTimes: ['2024-10-06T09:00:00', '2024-10-07T09:00:00'],
          durationMinutes: [60, 90],
          dailyDurationMinutes: 480,
        }),
      ],
      SYDNEY,
      at('2024-10-05T00:00:00Z'),
    );
    expect(intervals.map(iso)).toEqual([
      // 2024-10-06 09:00 is already AEDT (+11); so is the next day.
      ['2024-10-05T22:00:00.000Z', '2024-10-05T23:00:00.000Z'],
      ['2024-10-06T22:00:00.000Z', '2024-10-06T23:30:00.000Z'],
    ]);
  });

  it('is active from its start to its end only', () => {
    const r = request({ partialDayStartDateTimes: ['2024-03-05T17:00:00Z'], dailyDurationMinutes: 60 });
    expect(timeOffSignal([r], LOS_ANGELES, at('2024-03-05T16:59:59Z')).value.active).toBe(false);
    expect(timeOffSignal([r], LOS_ANGELES, at('2024-03-05T17:00:00Z')).value.active).toBe(true);
    expect(timeOffSignal([r], LOS_ANGELES, at('2024-03-05T18:00:00Z')).value.active).toBe(false);
  });
});

describe('the time-off signal', () => {
  const now = at('2024-03-05T12:00:00Z');

  it('keeps approved requests only, counts pending ones, merges overlaps and sorts', () => {
    const signal = timeOffSignal(
      [
        request({ partialDayStartDateTimes: ['2024-03-07T20:00:00Z'], dailyDurationMinutes: 120 }),
        fullDay('2024-03-07'),
        request({ status: 'PENDING', fullDayManagementUnitDates: ['2024-03-08'] }),
        request({ status: 'DENIED', fullDayManagementUnitDates: ['2024-03-09'] }),
        request({ status: 'CANCELED', fullDayManagementUnitDates: ['2024-03-10'] }),
      ],
      LOS_ANGELES,
      now,
    );
    expect(signal).toMatchObject({ signal: 'timeOff', at: now, source: 'resync' });
    expect(signal.value).toMatchObject({ active: false, pending: 1 });
    // The partial day (12:00-14:00 PST) lies inside the full day: one interval.
    expect((signal.value.intervals ?? []).map(iso)).toEqual([
      ['2024-03-07T08:00:00.000Z', '2024-03-08T08:00:00.000Z'],
    ]);
  });

  it('keeps the last day and the coming week, and skips unreadable dates', () => {
    const intervals = timeOffIntervals(
      [
        request({
          fullDayManagementUnitDates: ['2024-03-01', '2024-03-04', '2024-03-13', '2024-03-15', 'not-a-date'],
        }),
        request({ partialDayStartDateTimes: ['garbage'], dailyDurationMinutes: 60 }),
      ],
      'UTC',
      now,
    );
    expect(intervals.map(iso)).toEqual([
      ['2024-03-04T00:00:00.000Z', '2024-03-05T00:00:00.000Z'],
      ['2024-03-13T00:00:00.000Z', '2024-03-14T00:00:00.000Z'],
    ]);
  });
});
