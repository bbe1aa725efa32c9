import type { ActivityCategory, ExpandedAgent } from '../scenario/index.js';
import type { ScheduleActivitySpec } from './contract.js';
import type { WorldCore } from './core.js';
import { notFound } from './errors.js';
import type { AgentState, AdherenceSnapshot, Shift, TimeOffRequest } from './state.js';
import { createRng, hashString } from './rng.js';
import { iso } from './time.js';
import {
  type ActivityCode,
  type BusinessUnit,
  buildOrgUnits,
  initialShifts,
  type ManagementUnit,
  makeShift,
  shiftEnd,
  shiftStart,
} from './wfm-model.js';
import { createWfmRest, type WfmRest } from './wfm-rest.js';
import { adherenceBody, isAdherent, actualCategory } from './adherence.js';

/** The activity scheduled for an agent at an instant. */
export interface ActivityNow {
  readonly code: ActivityCode;
  readonly start: number;
  readonly end: number;
}

/** Workforce management: schedules, time off, real-time adherence, schedule notifications and WFM REST. */
export interface Wfm {
  readonly rest: WfmRest;
  readonly mus: Map<string, ManagementUnit>;
  readonly bus: Map<string, BusinessUnit>;
  hasManagementUnit(muId: string): boolean;
  /** Re-evaluates adherence now and emits the adherence topics when it changed. */
  evaluate(agent: AgentState): void;
  activityAt(agent: AgentState, at: number): ActivityNow | null;
  /** Arms activity-boundary steps for every scheduled agent. */
  start(): void;
  editShift(agent: AgentState, shiftId: string, activities: readonly ScheduleActivitySpec[]): void;
  swapShifts(a: AgentState, b: AgentState, localDate: string): void;
  publish(muId: string, weekStart: string, agentIds?: readonly string[]): void;
  requestTimeOff(
    agent: AgentState,
    spec: {
      status: TimeOffRequest['status'];
      fullDayDates?: string[];
      partialStart?: string;
      minutes?: number;
      requestId?: string;
      notes?: string;
      activityCodeId?: string;
    },
    by: string,
  ): TimeOffRequest;
  /** Called at every activity boundary of an agent (actors hook in to follow their schedule). */
  onBoundary: ((agent: AgentState, activity: ActivityNow | null) => void) | undefined;
}

export function createWfm(core: WorldCore, specs: readonly ExpandedAgent[]): Wfm {
  const { bus, mus } = buildOrgUnits(core.scenario);
  const boundaryAt = new Map<AgentState, { at: number; handle: number }>();
  const zoneOf = (a: AgentState): string =>
    (a.muId ? mus.get(a.muId)?.timeZone : undefined) ?? core.time.zone;
  const codesOf = (a: AgentState): Map<string, ActivityCode> | undefined => {
    const mu = a.muId ? mus.get(a.muId) : undefined;
    return mu ? bus.get(mu.businessUnitId)?.codes : undefined;
  };

  for (const [i, spec] of specs.entries()) {
    const agent = core.agentList[i]!;
    if (agent.muId) agent.shifts = initialShifts(core.scenario, spec, core.time, zoneOf(agent));
  }

  for (const t of core.scenario.timeOffRequests) {
    const a = core.agents.get(t.agentId);
    if (!a?.muId) continue;
    const at = core.time.anchorMs;
    a.timeOff.push({
      id: t.id ?? createRng(hashString(`time-off:${t.agentId}:${a.timeOff.length}`)).uuid(),
      agentId: a.id,
      muId: a.muId,
      status: t.status,
      fullDayDates: t.fullDayDates ?? [],
      partialStarts: t.partialStart ? [core.time.scheduleTimeToWire(t.partialStart, zoneOf(a))] : [],
      minutes: t.minutes ?? 480,
      activityCodeId:
        t.activityCodeId ??
        [...(codesOf(a)?.values() ?? [])].find((c) => c.category === 'TimeOff')?.id ??
        '5',
      notes: t.notes,
      submittedAt: at - 86_400_000,
      modifiedAt: at - 86_400_000,
      modifiedBy: a.id,
    });
  }

  const activityAt = (a: AgentState, at: number): ActivityNow | null => {
    const codes = codesOf(a);
    if (!codes) return null;
    for (const shift of a.shifts) {
      for (const act of shift.activities) {
        const end = act.start + act.lengthMinutes * 60_000;
        if (act.start <= at && at < end) {
          const code = codes.get(act.activityCodeId);
          if (code) return { code, start: act.start, end };
        }
      }
    }
    const timeOffCode = [...codes.values()].find((c) => c.category === 'TimeOff');
    if (timeOffCode) {
      for (const t of a.timeOff) {
        if (t.status !== 'APPROVED') continue;
        const dateNow = core.time.wireToLocalDate(at, zoneOf(a));
        if (t.fullDayDates.includes(dateNow)) {
          const start = core.time.localDateStartToWire(dateNow, zoneOf(a));
          return { code: timeOffCode, start, end: start + 86_400_000 };
        }
        for (const p of t.partialStarts) {
          if (p <= at && at < p + t.minutes * 60_000)
            return { code: timeOffCode, start: p, end: p + t.minutes * 60_000 };
        }
      }
    }
    return null;
  };

  const nextBoundary = (a: AgentState, after: number): number | undefined => {
    let best: number | undefined;
    for (const shift of a.shifts) {
      for (const act of shift.activities) {
        const end = act.start + act.lengthMinutes * 60_000;
        if (act.start > after && (best === undefined || act.start < best)) best = act.start;
        if (end > after && (best === undefined || end < best)) best = end;
      }
    }
    return best;
  };

  const armBoundary = (a: AgentState): void => {
    const next = nextBoundary(a, core.nowWire());
    const armed = boundaryAt.get(a);
    if (armed && armed.at === next) return;
    if (armed) core.scheduler.cancel(armed.handle);
    boundaryAt.delete(a);
    if (next === undefined) return;
    const handle = core.atWire(next, () => {
      boundaryAt.delete(a);
      wfm.evaluate(a);
      wfm.onBoundary?.(a, activityAt(a, core.nowWire()));
      armBoundary(a);
    });
    boundaryAt.set(a, { at: next, handle });
  };

  const nextReminder = (
    a: AgentState,
    now: number,
  ): { activityCategory: ActivityCategory; startDate: string }[] => {
    const codes = codesOf(a);
    let best: { start: number; category: ActivityCategory } | undefined;
    for (const shift of a.shifts) {
      for (const act of shift.activities) {
        if (act.start > now && (!best || act.start < best.start)) {
          const code = codes?.get(act.activityCodeId);
          if (code) best = { start: act.start, category: code.category };
        }
      }
    }
    return best ? [{ activityCategory: best.category, startDate: iso(best.start) }] : [];
  };

  const emitAdherence = (a: AgentState): void => {
    const mu = mus.get(a.muId!);
    if (!mu || !a.adherence) return;
    const body = adherenceBody(a, mu, nextReminder(a, core.nowWire()));
    core.emit(a.topics.adherence, body, a.id);
    core.emit(mu.adherenceTopic, adherenceBody(a, mu, nextReminder(a, core.nowWire())), a.id);
  };

  const scheduleChanged = (
    a: AgentState,
    type: 'Added' | 'Edited' | 'Deleted',
    shifts: readonly Shift[],
  ): void => {
    a.scheduleChangedAt = core.nowWire();
    a.scheduleVersion++;
    const starts = shifts.map(shiftStart);
    const ends = shifts.map(shiftEnd);
    const startDate = iso(starts.length ? Math.min(...starts) : core.nowWire());
    const endDate = iso(ends.length ? Math.max(...ends) : core.nowWire());
    core.emit(
      a.topics.schedules,
      { user: { id: a.id }, startDate, endDate, updates: [{ type, shiftStartDates: starts.map(iso) }] },
      a.id,
    );
    armBoundary(a);
    wfm.evaluate(a);
  };

  const emitMuChanged = (mu: ManagementUnit, agents: readonly AgentState[], weekStartWire: number): void => {
    const end = weekStartWire + 7 * 86_400_000;
    core.emit(mu.schedulesChangedTopic, {
      agents: agents.map((a) => ({ agentId: a.id, startDate: iso(weekStartWire), endDate: iso(end) })),
      visibilityRange: {
        endBusinessUnitDate: core.time.wireToLocalDate(end + 28 * 86_400_000, mu.timeZone),
        endDate: iso(end + 28 * 86_400_000),
      },
    });
  };

  const toActivities = (a: AgentState, specs: readonly ScheduleActivitySpec[]) =>
    specs.map((s) => ({
      start: core.time.scheduleTimeToWire(s.start, zoneOf(a)),
      lengthMinutes: s.lengthMinutes,
      activityCodeId: s.activityCodeId,
    }));

  const wfm: Wfm = {
    rest: undefined as unknown as WfmRest,
    mus,
    bus,
    onBoundary: undefined,
    hasManagementUnit: (muId) => mus.has(muId),
    activityAt,
    evaluate(a) {
      if (!a.muId) return;
      const now = core.nowWire();
      const act = activityAt(a, now);
      const scheduledCategory: AdherenceSnapshot['scheduledCategory'] = act
        ? act.code.category
        : 'Unscheduled';
      const actual = actualCategory(a);
      const state: AdherenceSnapshot['state'] = !act
        ? 'Unscheduled'
        : isAdherent(act.code.category, a)
          ? 'InAdherence'
          : 'OutOfAdherence';
      const prev = a.adherence;
      if (
        prev &&
        prev.state === state &&
        prev.scheduledCategory === scheduledCategory &&
        prev.actualCategory === actual
      ) {
        return;
      }
      a.adherence = {
        state,
        scheduledCategory,
        scheduledCodeId: act ? act.code.id : null,
        actualCategory: actual,
        changedAt: prev && prev.state === state ? prev.changedAt : now,
      };
      emitAdherence(a);
    },
    start() {
      for (const a of core.agentList) {
        if (!a.muId) continue;
        wfm.evaluate(a);
        armBoundary(a);
      }
    },
    editShift(a, id, activities) {
      const shift = a.shifts.find((s) => s.id === id);
      if (!shift) throw notFound('shift', id);
      const edited = makeShift(id, toActivities(a, activities), core.time, zoneOf(a), true);
      a.shifts = a.shifts
        .map((s) => (s.id === id ? edited : s))
        .sort((x, y) => shiftStart(x) - shiftStart(y));
      scheduleChanged(a, 'Edited', [edited]);
    },
    swapShifts(a, b, localDate) {
      const fromA = a.shifts.filter((s) => s.localDate === localDate);
      const fromB = b.shifts.filter((s) => s.localDate === localDate);
      a.shifts = [...a.shifts.filter((s) => s.localDate !== localDate), ...fromB].sort(
        (x, y) => shiftStart(x) - shiftStart(y),
      );
      b.shifts = [...b.shifts.filter((s) => s.localDate !== localDate), ...fromA].sort(
        (x, y) => shiftStart(x) - shiftStart(y),
      );
      scheduleChanged(a, 'Edited', fromB.length ? fromB : fromA);
      scheduleChanged(b, 'Edited', fromA.length ? fromA : fromB);
      for (const muId of new Set([a.muId, b.muId])) {
        const mu = muId ? mus.get(muId) : undefined;
        if (mu)
          emitMuChanged(
            mu,
            [a, b].filter((x) => x.muId === muId),
            core.time.localDateStartToWire(localDate, mu.timeZone),
          );
      }
    },
    publish(muId, weekStart, agentIds) {
      const mu = mus.get(muId);
      if (!mu) throw notFound('managementUnit', muId);
      const from = core.time.localDateStartToWire(weekStart, mu.timeZone);
      const to = from + 7 * 86_400_000;
      const wanted = agentIds ? new Set(agentIds) : undefined;
      const agents = core.agentList.filter((a) => a.muId === muId && (!wanted || wanted.has(a.id)));
      for (const a of agents) {
        const inWeek = a.shifts.filter((s) => shiftStart(s) < to && shiftEnd(s) > from);
        scheduleChanged(a, 'Edited', inWeek);
      }
      emitMuChanged(mu, agents, from);
    },
    requestTimeOff(a, spec, by) {
      if (!a.muId) throw notFound('managementUnit for user', a.id);
      const now = core.nowWire();
      const existing = spec.requestId ? a.timeOff.find((t) => t.id === spec.requestId) : undefined;
      let request: TimeOffRequest;
      if (existing) {
        existing.status = spec.status;
        existing.modifiedAt = now;
        existing.modifiedBy = by;
        request = existing;
      } else {
        const codes = codesOf(a);
        const timeOffCode = [...(codes?.values() ?? [])].find((c) => c.category === 'TimeOff');
        request = {
          id: spec.requestId ?? core.rng.uuid(),
          agentId: a.id,
          muId: a.muId,
          status: spec.status,
          fullDayDates: spec.fullDayDates ?? [],
          partialStarts: spec.partialStart
            ? [core.time.scheduleTimeToWire(spec.partialStart, zoneOf(a))]
            : [],
          minutes: spec.minutes ?? 480,
          activityCodeId: spec.activityCodeId ?? timeOffCode?.id ?? '5',
          notes: spec.notes ?? '',
          submittedAt: now,
          modifiedAt: now,
          modifiedBy: by,
        };
        a.timeOff.push(request);
      }
      core.emit(a.topics.timeoffrequests, timeOffBody(request), a.id);
      wfm.evaluate(a);
      return request;
    },
  };
  (wfm as { rest: WfmRest }).rest = createWfmRest(core, wfm, { zoneOf });
  return wfm;
}

/** `v2.users.{id}.workforcemanagement.timeoffrequests` body (reference §3.9). */
export function timeOffBody(t: TimeOffRequest): Record<string, unknown> {
  const full = t.fullDayDates.length > 0;
  return {
    id: t.id,
    user: { id: t.agentId },
    status: t.status,
    isFullDayRequest: full,
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
