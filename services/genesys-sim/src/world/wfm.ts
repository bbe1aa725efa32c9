import type { ActivityCategory, ExpandedAgent } from '../scenario/index.js';
import { actualCategory, adherenceBody, isAdherent } from './adherence.js';
import type { WorldCore } from './core.js';
import type { AdherenceSnapshot, AgentState } from './state.js';
import { iso } from './time.js';
import { loadInitialTimeOff } from './time-off.js';
import { createWfmChanges, type WfmChanges } from './wfm-changes.js';
import {
  type ActivityCode,
  type BusinessUnit,
  buildOrgUnits,
  initialShifts,
  type ManagementUnit,
} from './wfm-model.js';
import { createWfmRest, type WfmRest } from './wfm-rest.js';

/** The activity scheduled for an agent at an instant. */
export interface ActivityNow {
  readonly code: ActivityCode;
  readonly start: number;
  readonly end: number;
}

/** Workforce management: schedules, time off, real-time adherence, schedule notifications and WFM REST. */
export interface Wfm extends WfmChanges {
  readonly rest: WfmRest;
  readonly mus: ReadonlyMap<string, ManagementUnit>;
  readonly bus: ReadonlyMap<string, BusinessUnit>;
  hasManagementUnit(muId: string): boolean;
  /** Re-evaluates adherence now and emits the adherence topics (user and MU) when it changed. */
  evaluate(agent: AgentState): void;
  /** The scheduled activity at a wire instant (shift activity, else approved time off), or null. */
  activityAt(agent: AgentState, at: number): ActivityNow | null;
  /** Evaluates every agent in an MU once and arms their activity-boundary steps. */
  start(): void;
  /** Called at every activity boundary of an agent (actors hook in to follow their schedule). */
  onBoundary: ((agent: AgentState, activity: ActivityNow | null) => void) | undefined;
}

const MINUTE = 60_000;

export function createWfm(core: WorldCore, specs: readonly ExpandedAgent[]): Wfm {
  const { bus, mus } = buildOrgUnits(core.scenario);
  const boundaryAt = new Map<AgentState, { at: number; handle: number }>();
  const zoneOf = (a: AgentState): string =>
    (a.muId ? mus.get(a.muId)?.timeZone : undefined) ?? core.time.zone;
  const codesOf = (a: AgentState): Map<string, ActivityCode> | undefined => {
    const mu = a.muId ? mus.get(a.muId) : undefined;
    return mu ? bus.get(mu.businessUnitId)?.codes : undefined;
  };
  const timeOffCodeOf = (a: AgentState): string =>
    [...(codesOf(a)?.values() ?? [])].find((c) => c.category === 'TimeOff')?.id ?? '5';

  specs.forEach((spec, i) => {
    const agent = core.agentList[i]!;
    if (agent.muId) agent.shifts = initialShifts(core.scenario, spec, core.time, zoneOf(agent));
  });
  loadInitialTimeOff(core.scenario, core.agents, { time: core.time, zoneOf, timeOffCodeOf });

  const activityAt = (a: AgentState, at: number): ActivityNow | null => {
    const codes = codesOf(a);
    if (!codes) return null;
    for (const shift of a.shifts) {
      for (const act of shift.activities) {
        const end = act.start + act.lengthMinutes * MINUTE;
        const code = act.start <= at && at < end ? codes.get(act.activityCodeId) : undefined;
        if (code) return { code, start: act.start, end };
      }
    }
    const timeOffCode = codes.get(timeOffCodeOf(a));
    if (!timeOffCode) return null;
    for (const t of a.timeOff) {
      if (t.status !== 'APPROVED') continue;
      const today = core.time.wireToLocalDate(at, zoneOf(a));
      if (t.fullDayDates.includes(today)) {
        const start = core.time.localDateStartToWire(today, zoneOf(a));
        return { code: timeOffCode, start, end: start + 1440 * MINUTE };
      }
      const p = t.partialStarts.find((s) => s <= at && at < s + t.minutes * MINUTE);
      if (p !== undefined) return { code: timeOffCode, start: p, end: p + t.minutes * MINUTE };
    }
    return null;
  };

  const nextBoundary = (a: AgentState, after: number): number | undefined => {
    let best: number | undefined;
    for (const shift of a.shifts) {
      for (const act of shift.activities) {
        for (const edge of [act.start, act.start + act.lengthMinutes * MINUTE]) {
          if (edge > after && (best === undefined || edge < best)) best = edge;
        }
      }
    }
    return best;
  };

  const armBoundary = (a: AgentState): void => {
    const next = nextBoundary(a, core.nowWire());
    const armed = boundaryAt.get(a);
    if (armed?.at === next) return;
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

  const reminders = (
    a: AgentState,
    now: number,
  ): Array<{ activityCategory: ActivityCategory; startDate: string }> => {
    const codes = codesOf(a);
    let best: { start: number; category: ActivityCategory } | undefined;
    for (const shift of a.shifts) {
      for (const act of shift.activities) {
        const code =
          act.start > now && (!best || act.start < best.start) ? codes?.get(act.activityCodeId) : undefined;
        if (code) best = { start: act.start, category: code.category };
      }
    }
    return best ? [{ activityCategory: best.category, startDate: iso(best.start) }] : [];
  };

  const wfm: Wfm = {
    rest: createWfmRest(core, { mus, bus }, { zoneOf }),
    mus,
    bus,
    onBoundary: undefined,
    hasManagementUnit: (muId) => mus.has(muId),
    activityAt,
    evaluate(a) {
      const mu = a.muId ? mus.get(a.muId) : undefined;
      if (!mu) return;
      const now = core.nowWire();
      const act = activityAt(a, now);
      const scheduledCategory: AdherenceSnapshot['scheduledCategory'] = act
        ? act.code.category
        : 'Unscheduled';
      const actual = actualCategory(a);
      let state: AdherenceSnapshot['state'] = 'Unscheduled';
      if (act) state = isAdherent(act.code.category, a) ? 'InAdherence' : 'OutOfAdherence';
      const prev = a.adherence;
      if (
        prev?.state === state &&
        prev.scheduledCategory === scheduledCategory &&
        prev.actualCategory === actual
      )
        return;
      a.adherence = {
        state,
        scheduledCategory,
        scheduledCodeId: act ? act.code.id : null,
        actualCategory: actual,
        changedAt: prev?.state === state ? prev.changedAt : now,
      };
      const next = reminders(a, now);
      core.emit(a.topics.adherence, adherenceBody(a, mu, next), a.id);
      core.emit(mu.adherenceTopic, adherenceBody(a, mu, next), a.id);
    },
    start() {
      for (const a of core.agentList) {
        if (!a.muId) continue;
        wfm.evaluate(a);
        armBoundary(a);
      }
    },
    ...createWfmChanges(core, {
      mus,
      zoneOf,
      timeOffCodeOf,
      rescheduled: (a) => {
        armBoundary(a);
        wfm.evaluate(a);
      },
      evaluate: (a) => wfm.evaluate(a),
    }),
  };
  return wfm;
}
