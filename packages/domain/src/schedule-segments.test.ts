import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normalizeSegments, type ScheduleSegment, scheduleAt } from './schedule-segments.js';

const H = 3_600_000;
const M = 60_000;
const day = Date.UTC(2026, 2, 13); // any UTC midnight: the domain only sees instants

const seg = (
  start: number,
  end: number,
  category: ScheduleSegment['category'],
  code = '0',
): ScheduleSegment => ({
  start,
  end,
  category,
  activityCodeId: code,
});

describe('schedule segments', () => {
  const shift = normalizeSegments([
    seg(day + 8 * H, day + 12 * H, 'OnQueueWork'),
    seg(day + 10 * H, day + 10 * H + 15 * M, 'Break', '1'),
    seg(day + 13 * H, day + 17 * H, 'OnQueueWork'),
  ]);

  test('an activity inside another splits it; the outer one resumes after', () => {
    expect(shift.map((s) => [(s.start - day) / M, (s.end - day) / M, s.category])).toEqual([
      [480, 600, 'OnQueueWork'],
      [600, 615, 'Break'],
      [615, 720, 'OnQueueWork'],
      [780, 1020, 'OnQueueWork'],
    ]);
  });

  test('what the schedule says at an instant, since when, and the next boundary', () => {
    expect(scheduleAt(shift, day + 7 * H)).toEqual({
      category: 'Unscheduled',
      activityCodeId: null,
      since: null,
      nextBoundary: day + 8 * H,
    });
    expect(scheduleAt(shift, day + 10 * H + 5 * M)).toEqual({
      category: 'Break',
      activityCodeId: '1',
      since: day + 10 * H,
      nextBoundary: day + 10 * H + 15 * M,
    });
    // The end of a segment belongs to the next one (half-open intervals).
    expect(scheduleAt(shift, day + 10 * H + 15 * M)).toMatchObject({
      category: 'OnQueueWork',
      since: day + 615 * M,
    });
    expect(scheduleAt(shift, day + 12 * H + 30 * M)).toEqual({
      category: 'Unscheduled',
      activityCodeId: null,
      since: day + 12 * H,
      nextBoundary: day + 13 * H,
    });
    expect(scheduleAt(shift, day + 18 * H)).toMatchObject({ category: 'Unscheduled', nextBoundary: null });
  });

  test('a shift that crosses midnight is one segment like any other', () => {
    const night = normalizeSegments([seg(day + 22 * H, day + 30 * H, 'OnQueueWork')]);
    expect(scheduleAt(night, day + 25 * H)).toMatchObject({
      category: 'OnQueueWork',
      nextBoundary: day + 30 * H,
    });
  });

  test('nested activities: the innermost covers its span, each outer one resumes after it', () => {
    const nested = normalizeSegments([
      seg(0, 100, 'OnQueueWork', 'a'),
      seg(10, 90, 'Meeting', 'b'),
      seg(20, 30, 'Break', 'c'),
    ]);
    expect(nested.map((s) => [s.start, s.end, s.activityCodeId])).toEqual([
      [0, 10, 'a'],
      [10, 20, 'b'],
      [20, 30, 'c'],
      [30, 90, 'b'],
      [90, 100, 'a'],
    ]);
  });

  test('empty and inverted segments are dropped', () => {
    expect(normalizeSegments([seg(day, day, 'Break'), seg(day + H, day, 'Meal')])).toEqual([]);
  });
});

describe('schedule segments (property)', () => {
  test('the activity at any instant is the latest-starting raw segment covering it', () => {
    const category = fc.constantFrom<ScheduleSegment['category']>('OnQueueWork', 'Break', 'Meal', 'Meeting');
    const raw = fc.uniqueArray(
      fc.record({
        start: fc.integer({ min: 0, max: 200 }),
        length: fc.integer({ min: 1, max: 80 }),
        category,
      }),
      { selector: (s) => s.start, maxLength: 8 },
    );
    fc.assert(
      fc.property(raw, fc.integer({ min: -5, max: 125 }), (segments, t) => {
        const input = segments.map((s) => seg(s.start, s.start + s.length, s.category, String(s.start)));
        const covering = input.filter((s) => s.start <= t && t < s.end).sort((a, b) => b.start - a.start)[0];
        const at = scheduleAt(normalizeSegments(input), t);
        expect(at.category).toBe(covering?.category ?? 'Unscheduled');
        expect(at.activityCodeId).toBe(covering?.activityCodeId ?? null);
      }),
      { numRuns: 1_000 },
    );
  });
});
