import type { AgentSignals, ScheduledActivity, Stamped } from './signals.js';

/**
 * Where the scheduled activity at a given instant comes from. The default reads the latest WFM adherence
 * signal; a full schedule (time zones, shift swaps, time off) can be plugged in later behind this seam.
 * Implementations MUST be pure and deterministic: the machine calls them during transitions.
 */
export interface ScheduleSource {
  scheduledActivityAt(signals: AgentSignals, now: number): Stamped<ScheduledActivity> | undefined;
}

/** Scheduled activity from real-time adherence events (`scheduledActivityCategory`). */
export const adherenceScheduleSource: ScheduleSource = Object.freeze({
  scheduledActivityAt(signals: AgentSignals): Stamped<ScheduledActivity> | undefined {
    return signals.schedule;
  },
});
