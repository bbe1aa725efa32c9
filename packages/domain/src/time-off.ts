import type { PendingTimeOff, TimeOffInterval, TimeOffValue } from './signals.js';

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
  const base: {
    active: boolean;
    pending: number;
    intervals?: TimeOffInterval[];
    pendingIntervals?: PendingTimeOff[];
  } = { active: value.active, pending: value.pending };
  if (value.intervals !== undefined)
    base.intervals = value.intervals.map((i) => ({ start: i.start, end: i.end }));
  if (value.pendingIntervals !== undefined)
    base.pendingIntervals = value.pendingIntervals.map((i) => ({ start: i.start, end: i.end, text: i.text }));
  return base;
}

/** The intervals as text for value comparison (`,off=<start>-<end>;...`), empty when absent. */
export function timeOffIntervalsText(value: TimeOffValue): string {
  const pending =
    value.pendingIntervals === undefined
      ? ''
      : `,pendingOff=${value.pendingIntervals.map((i) => `${i.start}-${i.end}`).join(';')}`;
  if (value.intervals === undefined) return pending;
  return `,off=${value.intervals.map((i: TimeOffInterval) => `${i.start}-${i.end}`).join(';')}${pending}`;
}

/** The pending time off that has not ended at `now`, nearest first. */
export function pendingTimeOffAfter(value: TimeOffValue | undefined, now: number): PendingTimeOff[] {
  return (value?.pendingIntervals ?? []).filter((i) => i.end > now).sort((a, b) => a.start - b.start);
}
