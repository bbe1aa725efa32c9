import type { Scenario } from '../scenario/index.js';
import { createRng, hashString } from './rng.js';
import type { AgentState, TimeOffRequest } from './state.js';
import { iso } from './time.js';
import type { WorldTime } from './time.js';

/** What a time-off request write carries (scenario entry, world action). */
export interface TimeOffSpec {
  status: TimeOffRequest['status'];
  fullDayDates?: string[];
  partialStart?: string;
  minutes?: number;
  requestId?: string;
  notes?: string;
  activityCodeId?: string;
}

/** Builds a request for an agent in an MU; ids are drawn from `newId` unless given. */
export function makeTimeOffRequest(
  a: AgentState & { muId: string },
  spec: TimeOffSpec,
  ctx: { time: WorldTime; zone: string; timeOffCodeId: string; at: number; by: string; newId: () => string },
): TimeOffRequest {
  return {
    id: spec.requestId ?? ctx.newId(),
    agentId: a.id,
    muId: a.muId,
    status: spec.status,
    fullDayDates: spec.fullDayDates ?? [],
    partialStarts: spec.partialStart ? [ctx.time.scheduleTimeToWire(spec.partialStart, ctx.zone)] : [],
    minutes: spec.minutes ?? 480,
    activityCodeId: spec.activityCodeId ?? ctx.timeOffCodeId,
    notes: spec.notes ?? '',
    submittedAt: ctx.at,
    modifiedAt: ctx.at,
    modifiedBy: ctx.by,
  };
}

/** Loads the scenario's initial requests (submitted a day before the start by the agents themselves). */
export function loadInitialTimeOff(
  scenario: Scenario,
  agents: ReadonlyMap<string, AgentState>,
  ctx: { time: WorldTime; zoneOf(a: AgentState): string; timeOffCodeOf(a: AgentState): string },
): void {
  for (const t of scenario.timeOffRequests) {
    const a = agents.get(t.agentId);
    if (!a?.muId) continue;
    const withMu = a as AgentState & { muId: string };
    const n = a.timeOff.length;
    a.timeOff.push(
      makeTimeOffRequest(
        withMu,
        { ...t, requestId: t.id },
        {
          time: ctx.time,
          zone: ctx.zoneOf(a),
          timeOffCodeId: ctx.timeOffCodeOf(a),
          at: ctx.time.anchorMs - 86_400_000,
          by: a.id,
          newId: () => createRng(hashString(`time-off:${t.agentId}:${n}`)).uuid(),
        },
      ),
    );
  }
}

/** `v2.users.{id}.workforcemanagement.timeoffrequests` body (reference §3.9). */
export function timeOffBody(t: TimeOffRequest): Record<string, unknown> {
  return {
    id: t.id,
    user: { id: t.agentId },
    status: t.status,
    isFullDayRequest: t.fullDayDates.length > 0,
    markedAsRead: false,
    activityCodeId: t.activityCodeId,
    paid: true,
    partialDayStartDateTimes: t.partialStarts.map(iso),
    fullDayManagementUnitDates: t.fullDayDates,
    dailyDurationMinutes: t.minutes,
    notes: t.notes,
    submittedDate: iso(t.submittedAt),
    submittedBy: t.agentId,
    modifiedDate: iso(t.modifiedAt),
    modifiedBy: t.modifiedBy,
  };
}
