import { nextPlannedBoundary, plannedActivityAt } from './planned-schedule.js';
import type { AgentSignals, ScheduledActivity, Stamped } from './signals.js';

/**
 * Where the scheduled activity at a given instant comes from. The default reads the latest WFM adherence
 * signal; a full schedule (time zones, shift swaps, time off) can be plugged in later behind this seam.
 * Implementations MUST be pure and deterministic: the machine calls them during transitions.
 */
export interface ScheduleSource {
  scheduledActivityAt(signals: AgentSignals, now: number): Stamped<ScheduledActivity> | undefined;
  /** The next instant the scheduled activity changes by itself (evaluation sets a deadline there), or `null`. */
  nextBoundary?(signals: AgentSignals, now: number): number | null;
}

/** Scheduled activity from real-time adherence events (`scheduledActivityCategory`). */
export const adherenceScheduleSource: ScheduleSource = Object.freeze({
  scheduledActivityAt(signals: AgentSignals): Stamped<ScheduledActivity> | undefined {
    return signals.schedule;
  },
});

/**
 * Scheduled activity from the published schedule (`plannedSchedule` segments), evaluated at `now`, with a
 * deadline at the next boundary so rules fire on time with no event; falls back to the adherence signal for an
 * agent whose schedule is not loaded. The default source.
 */
export const plannedScheduleSource: ScheduleSource = Object.freeze({
  scheduledActivityAt(signals: AgentSignals, now: number): Stamped<ScheduledActivity> | undefined {
    return plannedActivityAt(signals, now) ?? signals.schedule;
  },
  nextBoundary: nextPlannedBoundary,
});
