import type { TimeOffInterval, TimeOffValue } from './signals.js';

/**
 * Approved time off as instants. The edge computes the intervals in the management unit's time zone; here they
 * are plain epoch-ms pairs, so every function is pure and needs no time-zone data.
 */

/** Most intervals a time-off value carries (the edge keeps the nearest ones). */
export const MAX_TIME_OFF_INTERVALS = 32;

/** Whether time off is active at `now`: an interval covers it, or (no intervals known) the value read says so. */
export function timeOffActiveAt(value: TimeOffValue | undefined, now: number): boolean {
  if (value === undefined) return false;
  if (value.intervals === undefined) return value.active;
  return value.intervals.some((i) => i.start <= now && now < i.end);
}

/** The first start or end of an interval strictly after `now` (when time off turns on or off), or `null`. */
export function nextTimeOffBoundary(value: TimeOffValue | undefined, now: number): number | null {
  let next: number | null = null;
  for (const i of value?.intervals ?? []) {
    for (const t of [i.start, i.end]) if (t > now && (next === null || t < next)) next = t;
  }
  return next;
}

/** The latest end of an interval at or before `now` (the instant the last time off ended), or `null`. */
export function timeOffEndedAt(value: TimeOffValue | undefined, now: number): number | null {
  let ended: number | null = null;
  for (const i of value?.intervals ?? [])
    if (i.end <= now && (ended === null || i.end > ended)) ended = i.end;
  return ended;
}

/** A time-off value with a fixed key set and order (intervals only when present). */
export function canonicalTimeOff(value: TimeOffValue): TimeOffValue {
  const base = { active: value.active, pending: value.pending };
  if (value.intervals === undefined) return base;
  return { ...base, intervals: value.intervals.map((i) => ({ start: i.start, end: i.end })) };
}

/** The intervals as text for value comparison (`,off=<start>-<end>;...`), empty when absent. */
export function timeOffIntervalsText(value: TimeOffValue): string {
  if (value.intervals === undefined) return '';
  return `,off=${value.intervals.map((i: TimeOffInterval) => `${i.start}-${i.end}`).join(';')}`;
}
