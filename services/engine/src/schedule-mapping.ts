import {
  ACTIVITY_CATEGORIES,
  type ActivityCategory,
  normalizeSegments,
  type ScheduleSegment,
} from '@lockstep/domain';
import type { BusinessUnitActivityCode } from '@lockstep/genesys';
import { DateTime } from 'luxon';

/** An agent's published schedule as the MU agent-schedule search returns it (`result.agentSchedules[]`). */
export interface AgentScheduleBody {
  readonly shifts?: ReadonlyArray<{
    readonly activities?: ReadonlyArray<{
      readonly startDate: string;
      readonly lengthMinutes: number;
      readonly activityCodeId: string;
      readonly timeOffRequestId?: string;
    }>;
  }>;
  readonly fullDayTimeOffMarkers?: ReadonlyArray<{
    readonly businessUnitDate?: string;
    readonly startOffsetMinutes?: number;
    readonly endOffsetMinutes?: number;
    readonly lengthMinutes?: number;
    readonly activityCodeId?: string;
    readonly timeOffRequestId?: string;
    readonly delete?: boolean;
  }>;
}

/** Activity code id → category, from the business unit's activity codes (never hard-coded ids). Pure. */
export function activityCategories(
  codes: readonly BusinessUnitActivityCode[],
): Map<string, ActivityCategory> {
  const out = new Map<string, ActivityCategory>();
  for (const code of codes) {
    if ((ACTIVITY_CATEGORIES as readonly string[]).includes(code.category ?? '')) {
      out.set(code.id, code.category as ActivityCategory);
    }
  }
  return out;
}

export interface MappedSchedule {
  readonly segments: ScheduleSegment[];
  /** What could not be mapped (an unknown activity code, a bad date), for one log line per agent. */
  readonly problems: string[];
}

/**
 * Turns an agent's published schedule into UTC segments. Activities carry UTC start instants and lengths.
 * Full-day time-off markers carry a business-unit date: they are placed in the business unit's IANA zone with
 * luxon, from local midnight to the next local midnight (23 or 25 hours on DST days); their offsets, when given,
 * are read as wall-clock minutes after local midnight ([UNVERIFIED] platform semantics). Pure.
 */
export function scheduleSegments(
  schedule: AgentScheduleBody,
  businessUnitTimeZone: string,
  categories: ReadonlyMap<string, ActivityCategory>,
): MappedSchedule {
  const segments: ScheduleSegment[] = [];
  const problems: string[] = [];
  for (const shift of schedule.shifts ?? []) {
    for (const activity of shift.activities ?? []) {
      const start = Date.parse(activity.startDate);
      const category = categories.get(activity.activityCodeId);
      if (Number.isNaN(start) || !(activity.lengthMinutes > 0)) {
        problems.push(`activity at ${JSON.stringify(activity.startDate)} has no valid start or length`);
        continue;
      }
      if (category === undefined) {
        problems.push(
          `activity code ${JSON.stringify(activity.activityCodeId)} is not among the business unit's codes`,
        );
        continue;
      }
      segments.push({
        start,
        end: start + activity.lengthMinutes * 60_000,
        category,
        activityCodeId: activity.activityCodeId,
        timeOffRequestId: activity.timeOffRequestId ?? null,
      });
    }
  }
  for (const marker of schedule.fullDayTimeOffMarkers ?? []) {
    if (marker.delete === true) continue;
    const day = DateTime.fromISO(marker.businessUnitDate ?? '', { zone: businessUnitTimeZone }).startOf(
      'day',
    );
    if (!day.isValid) {
      problems.push(
        `full-day time off on ${JSON.stringify(marker.businessUnitDate)} in ${businessUnitTimeZone}: ${day.invalidExplanation ?? 'invalid'}`,
      );
      continue;
    }
    const wall = (minutes: number) => day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
    const start = marker.startOffsetMinutes === undefined ? day : wall(marker.startOffsetMinutes);
    const end =
      marker.endOffsetMinutes !== undefined
        ? wall(marker.endOffsetMinutes)
        : marker.lengthMinutes !== undefined && marker.startOffsetMinutes !== undefined
          ? start.plus({ minutes: marker.lengthMinutes })
          : day.plus({ days: 1 });
    segments.push({
      start: start.toMillis(),
      end: end.toMillis(),
      category: 'TimeOff',
      activityCodeId: marker.activityCodeId ?? null,
      timeOffRequestId: marker.timeOffRequestId ?? null,
    });
  }
  return { segments: normalizeSegments(segments), problems };
}
