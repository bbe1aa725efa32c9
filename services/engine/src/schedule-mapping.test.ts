import type { ActivityCategory } from '@lockstep/domain';
import { describe, expect, test } from 'vitest';
import { activityCategories, scheduleSegments } from './schedule-mapping.js';

const categories = activityCategories([
  { id: 'code-onq', category: 'OnQueueWork' },
  { id: 'code-break', category: 'Break' },
  { id: 'code-pto', category: 'TimeOff' },
  { id: 'code-odd', category: 'SomethingNew' },
]);
const iso = (ms: number) => new Date(ms).toISOString();

describe('schedule mapping', () => {
  test('activity codes resolve to categories by the business unit listing; unknown categories are left out', () => {
    expect([...categories.entries()]).toEqual<Array<[string, ActivityCategory]>>([
      ['code-onq', 'OnQueueWork'],
      ['code-break', 'Break'],
      ['code-pto', 'TimeOff'],
    ]);
  });

  test('activities become UTC segments; a break inside on-queue work splits it; unknown codes are reported', () => {
    const { segments, problems } = scheduleSegments(
      {
        shifts: [
          {
            activities: [
              { startDate: '2026-11-27T12:00:00Z', lengthMinutes: 240, activityCodeId: 'code-onq' },
              { startDate: '2026-11-27T14:00:00Z', lengthMinutes: 15, activityCodeId: 'code-break' },
              { startDate: '2026-11-27T16:00:00Z', lengthMinutes: 30, activityCodeId: 'code-gone' },
            ],
          },
        ],
      },
      'America/Chicago',
      categories,
    );
    expect(segments.map((s) => [iso(s.start), iso(s.end), s.category])).toEqual([
      ['2026-11-27T12:00:00.000Z', '2026-11-27T14:00:00.000Z', 'OnQueueWork'],
      ['2026-11-27T14:00:00.000Z', '2026-11-27T14:15:00.000Z', 'Break'],
      ['2026-11-27T14:15:00.000Z', '2026-11-27T16:00:00.000Z', 'OnQueueWork'],
    ]);
    expect(problems).toEqual(['activity code "code-gone" is not among the business unit\'s codes']);
  });

  // Full-day time off spans the business unit's local day: 23 or 25 hours on DST days.
  test.each([
    ['America/Chicago', '2026-03-08', '2026-03-08T06:00:00.000Z', '2026-03-09T05:00:00.000Z'], // spring forward
    ['America/Chicago', '2026-11-01', '2026-11-01T05:00:00.000Z', '2026-11-02T06:00:00.000Z'], // fall back
    ['America/Los_Angeles', '2026-03-08', '2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z'],
    ['Australia/Sydney', '2026-04-05', '2026-04-04T13:00:00.000Z', '2026-04-05T14:00:00.000Z'], // AEDT → AEST
    ['Australia/Sydney', '2026-10-04', '2026-10-03T14:00:00.000Z', '2026-10-04T13:00:00.000Z'], // AEST → AEDT
    ['Australia/Sydney', '2026-11-27', '2026-11-26T13:00:00.000Z', '2026-11-27T13:00:00.000Z'],
  ])('full-day time off in %s on %s', (zone, date, start, end) => {
    const { segments, problems } = scheduleSegments(
      { fullDayTimeOffMarkers: [{ businessUnitDate: date, activityCodeId: 'code-pto' }] },
      zone,
      categories,
    );
    expect(problems).toEqual([]);
    expect(segments.map((s) => [iso(s.start), iso(s.end), s.category])).toEqual([[start, end, 'TimeOff']]);
  });

  test('marker offsets are wall-clock minutes of the local day; deleted markers and bad dates are not time off', () => {
    const { segments, problems } = scheduleSegments(
      {
        fullDayTimeOffMarkers: [
          { businessUnitDate: '2026-03-08', startOffsetMinutes: 480, endOffsetMinutes: 960 },
          { businessUnitDate: '2026-03-09', delete: true },
          { businessUnitDate: '2026-02-30' },
        ],
      },
      'America/Chicago',
      categories,
    );
    // 08:00–16:00 CDT on the spring-forward day.
    expect(segments.map((s) => [iso(s.start), iso(s.end)])).toEqual([
      ['2026-03-08T13:00:00.000Z', '2026-03-08T21:00:00.000Z'],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"2026-02-30"');
  });
});
