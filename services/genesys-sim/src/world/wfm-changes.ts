import type { ScheduleActivitySpec } from './contract.js';
import type { WorldCore } from './core.js';
import { notFound } from './errors.js';
import type { AgentState, Shift, TimeOffRequest } from './state.js';
import { iso } from './time.js';
import { makeTimeOffRequest, type TimeOffSpec, timeOffBody } from './time-off.js';
import { type ManagementUnit, makeShift, shiftEnd, shiftStart } from './wfm-model.js';

/** Schedule and time-off changes; each emits its WFM notifications and re-evaluates adherence. */
export interface WfmChanges {
  editShift(agent: AgentState, shiftId: string, activities: readonly ScheduleActivitySpec[]): void;
  swapShifts(a: AgentState, b: AgentState, localDate: string): void;
  publish(muId: string, weekStart: string, agentIds?: readonly string[]): void;
  requestTimeOff(agent: AgentState, spec: TimeOffSpec, by: string): TimeOffRequest;
}

export interface WfmChangeContext {
  readonly mus: ReadonlyMap<string, ManagementUnit>;
  zoneOf(a: AgentState): string;
  timeOffCodeOf(a: AgentState): string;
  /** The schedule of `a` changed: re-arm boundaries and re-evaluate adherence. */
  rescheduled(a: AgentState): void;
  evaluate(a: AgentState): void;
}

const DAY = 86_400_000;
const byStart = (x: Shift, y: Shift): number => shiftStart(x) - shiftStart(y);

export function createWfmChanges(core: WorldCore, ctx: WfmChangeContext): WfmChanges {
  const scheduleChanged = (a: AgentState, shifts: readonly Shift[]): void => {
    a.scheduleChangedAt = core.nowWire();
    a.scheduleVersion++;
    const starts = shifts.map(shiftStart);
    const ends = shifts.map(shiftEnd);
    const startDate = iso(starts.length ? Math.min(...starts) : core.nowWire());
    const endDate = iso(ends.length ? Math.max(...ends) : core.nowWire());
    core.emit(
      a.topics.schedules,
      {
        user: { id: a.id },
        startDate,
        endDate,
        updates: [{ type: 'Edited', shiftStartDates: starts.map(iso) }],
      },
      a.id,
    );
    ctx.rescheduled(a);
  };

  const emitMuChanged = (mu: ManagementUnit, agents: readonly AgentState[], weekStartWire: number): void => {
    const end = weekStartWire + 7 * DAY;
    const visibleUntil = end + 28 * DAY;
    core.emit(mu.schedulesChangedTopic, {
      agents: agents.map((a) => ({ agentId: a.id, startDate: iso(weekStartWire), endDate: iso(end) })),
      visibilityRange: {
        endBusinessUnitDate: core.time.wireToLocalDate(visibleUntil, mu.timeZone),
        endDate: iso(visibleUntil),
      },
    });
  };

  return {
    editShift(a, id, activities) {
      if (!a.shifts.some((s) => s.id === id)) throw notFound('shift', id);
      const zone = ctx.zoneOf(a);
      const wire = activities.map((s) => ({
        start: core.time.scheduleTimeToWire(s.start, zone),
        lengthMinutes: s.lengthMinutes,
        activityCodeId: s.activityCodeId,
      }));
      const edited = makeShift(id, wire, core.time, zone, true);
      a.shifts = a.shifts.map((s) => (s.id === id ? edited : s)).sort(byStart);
      scheduleChanged(a, [edited]);
    },
    swapShifts(a, b, localDate) {
      const fromA = a.shifts.filter((s) => s.localDate === localDate);
      const fromB = b.shifts.filter((s) => s.localDate === localDate);
      a.shifts = [...a.shifts.filter((s) => s.localDate !== localDate), ...fromB].sort(byStart);
      b.shifts = [...b.shifts.filter((s) => s.localDate !== localDate), ...fromA].sort(byStart);
      scheduleChanged(a, fromB.length ? fromB : fromA);
      scheduleChanged(b, fromA.length ? fromA : fromB);
      for (const muId of new Set([a.muId, b.muId])) {
        const mu = muId ? ctx.mus.get(muId) : undefined;
        if (!mu) continue;
        const members = [a, b].filter((x) => x.muId === muId);
        emitMuChanged(mu, members, core.time.localDateStartToWire(localDate, mu.timeZone));
      }
    },
    publish(muId, weekStart, agentIds) {
      const mu = ctx.mus.get(muId);
      if (!mu) throw notFound('managementUnit', muId);
      const from = core.time.localDateStartToWire(weekStart, mu.timeZone);
      const to = from + 7 * DAY;
      const wanted = agentIds ? new Set(agentIds) : undefined;
      const agents = core.agentList.filter((a) => a.muId === muId && (!wanted || wanted.has(a.id)));
      for (const a of agents)
        scheduleChanged(
          a,
          a.shifts.filter((s) => shiftStart(s) < to && shiftEnd(s) > from),
        );
      emitMuChanged(mu, agents, from);
    },
    requestTimeOff(a, spec, by) {
      if (!a.muId) throw notFound('managementUnit for user', a.id);
      const now = core.nowWire();
      let request = spec.requestId ? a.timeOff.find((t) => t.id === spec.requestId) : undefined;
      if (request) {
        request.status = spec.status;
        request.modifiedAt = now;
        request.modifiedBy = by;
      } else {
        request = makeTimeOffRequest(a as AgentState & { muId: string }, spec, {
          time: core.time,
          zone: ctx.zoneOf(a),
          timeOffCodeId: ctx.timeOffCodeOf(a),
          at: now,
          by,
          newId: () => core.rng.uuid(),
        });
        a.timeOff.push(request);
      }
      core.emit(a.topics.timeoffrequests, timeOffBody(request), a.id);
      ctx.evaluate(a);
      return request;
    },
  };
}
