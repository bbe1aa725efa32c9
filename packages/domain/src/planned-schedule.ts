import type { ScheduleSegment } from './schedule-segments.js';
import { scheduleAt } from './schedule-segments.js';
import type { AgentSignals, PlannedScheduleValue, ScheduledActivity, Stamped } from './signals.js';

/** Most segments a planned schedule carries (three days of a busy schedule fit well within it). */
export const MAX_SCHEDULE_SEGMENTS = 200;

/** A planned-schedule value with a fixed key set and order. Pure. */
export function canonicalPlannedSchedule(value: PlannedScheduleValue): PlannedScheduleValue {
  return {
    segments: value.segments.map((s): ScheduleSegment => ({
      start: s.start,
      end: s.end,
      category: s.category,
      activityCodeId: s.activityCodeId ?? null,
      timeOffRequestId: s.timeOffRequestId ?? null,
    })),
    changedAt: value.changedAt ?? null,
    change: value.change ?? null,
  };
}

/** A stable text form for comparison: every segment, then the last change. Pure. */
export function plannedScheduleText(value: PlannedScheduleValue): string {
  const segments = value.segments
    .map((s) => `${s.start}-${s.end}:${s.category}:${s.activityCodeId ?? '-'}:${s.timeOffRequestId ?? '-'}`)
    .join(';');
  return `segments=${segments},changed=${value.changedAt ?? '-'}/${value.change ?? '-'}`;
}

/**
 * The scheduled activity at `now` from the planned schedule (segments), stamped since the activity began, with
 * Genesys's adherence verdict attached only when Genesys speaks of the same activity. `undefined` when no planned
 * schedule is known. Pure.
 */
export function plannedActivityAt(
  signals: AgentSignals,
  now: number,
): Stamped<ScheduledActivity> | undefined {
  const planned = signals.plannedSchedule;
  if (planned === undefined) return undefined;
  const at = scheduleAt(planned.value.segments, now);
  const genesys = signals.schedule?.value;
  const adherence = genesys !== undefined && genesys.category === at.category ? genesys.adherence : null;
  // Since when the activity holds: its start, or (a gap before any segment) when the schedule was read.
  const since = at.since ?? planned.at;
  return {
    value: { category: at.category, activityCodeId: at.activityCodeId, adherence },
    at: since,
    seenAt: planned.seenAt,
    source: planned.source,
  };
}

/** The next instant the planned schedule's activity changes after `now`, or `null`. Pure. */
export function nextPlannedBoundary(signals: AgentSignals, now: number): number | null {
  const planned = signals.plannedSchedule;
  if (planned === undefined) return null;
  return scheduleAt(planned.value.segments, now).nextBoundary;
}
