import type { ActivityCategory } from './presence.js';

/**
 * One scheduled activity of an agent, as UTC instants (epoch ms). The engine computes the instants at the edge,
 * in the business unit's time zone, so the domain never handles a local date.
 */
export interface ScheduleSegment {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly category: ActivityCategory;
  readonly activityCodeId: string | null;
  /** Set when the segment is time off (a full-day marker or an activity of an approved request). */
  readonly timeOffRequestId?: string | null;
}

/** What the schedule says at an instant: the activity, since when it holds, and when the next boundary is. */
export interface ScheduleAt {
  /** The activity covering the instant; `Unscheduled` with `since` = end of the previous segment otherwise. */
  readonly category: ActivityCategory;
  readonly activityCodeId: string | null;
  /** When the current activity (or the gap) began; `null` for a gap with no earlier segment. */
  readonly since: number | null;
  /** The next instant at which the scheduled activity changes; `null` when no segment starts or ends later. */
  readonly nextBoundary: number | null;
}

/**
 * Flattens segments into non-overlapping ones ordered by start, dropping empty ones. Where segments overlap, the
 * one that starts latest covers the overlap (an activity placed inside a shift overrides the shift's default),
 * and the outer one resumes after it. Pure; returns a new array.
 */
export function normalizeSegments(segments: readonly ScheduleSegment[]): ScheduleSegment[] {
  const valid = segments.filter((s) => s.end > s.start);
  const bounds = [...new Set(valid.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const out: ScheduleSegment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i] as number;
    const to = bounds[i + 1] as number;
    let owner: ScheduleSegment | undefined;
    for (const s of valid) {
      if (s.start <= from && to <= s.end && (owner === undefined || s.start > owner.start)) owner = s;
    }
    if (owner === undefined) continue;
    const last = out[out.length - 1];
    // Consecutive pieces of the same segment join again.
    if (last !== undefined && last.end === from && sameActivity(last, owner))
      out[out.length - 1] = { ...last, end: to };
    else out.push({ ...owner, start: from, end: to });
  }
  return out;
}

function sameActivity(a: ScheduleSegment, b: ScheduleSegment): boolean {
  return (
    a.category === b.category &&
    a.activityCodeId === b.activityCodeId &&
    (a.timeOffRequestId ?? null) === (b.timeOffRequestId ?? null)
  );
}

/**
 * The scheduled activity at `now` and the next boundary, from segments normalised by `normalizeSegments`.
 * Boundaries are half-open: a segment covers [start, end). Pure.
 */
export function scheduleAt(segments: readonly ScheduleSegment[], now: number): ScheduleAt {
  let previousEnd: number | null = null;
  for (const segment of segments) {
    if (segment.end <= now) {
      previousEnd = segment.end;
      continue;
    }
    if (segment.start <= now) {
      return {
        category: segment.category,
        activityCodeId: segment.activityCodeId,
        since: segment.start,
        nextBoundary: segment.end,
      };
    }
    return { category: 'Unscheduled', activityCodeId: null, since: previousEnd, nextBoundary: segment.start };
  }
  return { category: 'Unscheduled', activityCodeId: null, since: previousEnd, nextBoundary: null };
}
