import { pendingTimeOffAfter, timeOffActiveAt } from '../time-off.js';
import type { ScheduleSegment } from '../schedule-segments.js';
import type { Evidence, RuleInput, Verdict } from './types.js';

const DAY_MS = 86_400_000;

/** Human form of how long before `at` something happened (`3 h`, `25 min`). Pure. */
export function ago(ms: number): string {
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.max(0, Math.floor(ms / 60_000))} min`;
}

/**
 * The WFM facts findings carry as evidence, so a group of failing agents can be explained:
 * - `scheduleChange24h`: the schedule changed within the last 24 h (value: how, `at`: when);
 * - `timeOff`: `pending <when>` for the nearest pending request not yet over, or `approved` while approved time
 *   off covers `now`;
 * - `shiftStart`: when the current run of scheduled activities began (value `scheduled`).
 * Pure; stable while the facts do not change (no "now" inside the values).
 */
export function wfmEvidence(input: RuleInput): Evidence[] {
  const out: Evidence[] = [];
  const planned = input.signals.plannedSchedule?.value;
  if (planned?.changedAt != null && input.now - planned.changedAt < DAY_MS) {
    out.push({ name: 'scheduleChange24h', value: planned.change ?? 'edit', at: planned.changedAt });
  }
  const timeOff = input.signals.timeOff?.value;
  const pending = pendingTimeOffAfter(timeOff, input.now)[0];
  if (pending !== undefined)
    out.push({ name: 'timeOff', value: `pending ${pending.text}`, at: pending.start });
  else if (timeOffActiveAt(timeOff, input.now)) {
    out.push({ name: 'timeOff', value: 'approved', at: input.signals.timeOff?.at ?? input.now });
  }
  const shift = shiftStartAt(input);
  if (shift !== null) out.push({ name: 'shiftStart', value: 'scheduled', at: shift });
  return out;
}

/** A shift: a run of back-to-back scheduled segments (neither unscheduled nor time off), as instants. */
export interface ShiftRun {
  readonly start: number;
  readonly end: number;
}

/** The shifts of a schedule's segments (sorted by start), each a run of back-to-back scheduled segments. Pure. */
export function shiftRuns(segments: readonly ScheduleSegment[]): ShiftRun[] {
  const runs: ShiftRun[] = [];
  let start: number | null = null;
  let end: number | null = null;
  for (const s of [...segments].sort((a, b) => a.start - b.start)) {
    if (s.category === 'Unscheduled' || s.category === 'TimeOff') continue;
    if (start !== null && end !== null && s.start <= end) end = Math.max(end, s.end);
    else {
      if (start !== null && end !== null) runs.push({ start, end });
      start = s.start;
      end = s.end;
    }
  }
  if (start !== null && end !== null) runs.push({ start, end });
  return runs;
}

/** Start of the shift covering `now` from the planned schedule, or `null`. */
export function shiftStartAt(input: RuleInput): number | null {
  const runs = shiftRuns(input.signals.plannedSchedule?.value.segments ?? []);
  return runs.find((r) => r.start <= input.now && input.now < r.end)?.start ?? null;
}

/** Start of the shift covering `now`, else of the next one, else `null`. Pure. */
export function currentOrNextShiftStart(segments: readonly ScheduleSegment[], now: number): number | null {
  return shiftRuns(segments).find((r) => now < r.end)?.start ?? null;
}

/** The sentence the WFM facts make for a summary (`; schedule changed 3 h earlier (swap); time off pending ...`). */
export function wfmSummary(evidence: readonly Evidence[], since: number): string {
  const parts: string[] = [];
  for (const e of evidence) {
    if (e.name === 'scheduleChange24h')
      parts.push(`schedule changed ${ago(since - e.at)} earlier (${e.value})`);
    if (e.name === 'timeOff') parts.push(`time off ${e.value}`);
  }
  return parts.length === 0 ? '' : ` ${parts.join('; ')}.`;
}

/**
 * A schedule-based rule's verdict with the WFM facts added (those its own evidence does not name already), and
 * their sentence appended to its summary. Pure.
 */
export function withWfmFacts(verdict: Verdict, input: RuleInput): Verdict {
  const named = new Set(verdict.evidence.map((e) => e.name));
  const wfm = wfmEvidence(input).filter((e) => !named.has(e.name));
  if (wfm.length === 0) return verdict;
  return {
    ...verdict,
    summary: verdict.summary + wfmSummary(wfm, verdict.since),
    evidence: [...verdict.evidence, ...wfm],
  };
}
