import { DateTime } from 'luxon';
import type { ActivityCategory, ExpandedAgent, Scenario } from '../scenario/index.js';
import { createRng, hashString } from './rng.js';
import type { ScheduledActivity, Shift } from './state.js';
import type { WorldTime } from './time.js';

export interface ActivityCode {
  readonly id: string;
  readonly name: string;
  readonly category: ActivityCategory;
  readonly lengthInMinutes: number;
  readonly paid: boolean;
}

export interface ManagementUnit {
  readonly id: string;
  readonly name: string;
  readonly businessUnitId: string;
  readonly timeZone: string;
  readonly divisionId: string;
  readonly adherenceTopic: string;
  readonly schedulesChangedTopic: string;
}

export interface BusinessUnit {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly codes: Map<string, ActivityCode>;
}

const DEFAULT_CODES: ReadonlyArray<[string, string, ActivityCategory]> = [
  ['0', 'On Queue Work', 'OnQueueWork'],
  ['1', 'Break', 'Break'],
  ['2', 'Meal', 'Meal'],
  ['3', 'Meeting', 'Meeting'],
  ['4', 'Training', 'Training'],
  ['5', 'Time Off', 'TimeOff'],
  ['6', 'Off Queue Work', 'OffQueueWork'],
  ['7', 'Unavailable', 'Unavailable'],
];

/** Builds business units (with their activity codes, default "0".."7") and management units. */
export function buildOrgUnits(s: Scenario): {
  bus: Map<string, BusinessUnit>;
  mus: Map<string, ManagementUnit>;
} {
  const bus = new Map<string, BusinessUnit>();
  const mus = new Map<string, ManagementUnit>();
  for (const bu of s.businessUnits) {
    const firstMu = s.managementUnits.find((m) => m.businessUnitId === bu.id);
    const codes = new Map<string, ActivityCode>();
    for (const c of s.activityCodes.filter((c) => c.businessUnitId === bu.id)) {
      codes.set(c.id, {
        id: c.id,
        name: c.name,
        category: c.category,
        lengthInMinutes: c.lengthInMinutes ?? 15,
        paid: c.paid,
      });
    }
    if (codes.size === 0) {
      for (const [id, name, category] of DEFAULT_CODES) {
        codes.set(id, {
          id,
          name,
          category,
          lengthInMinutes: category === 'Meal' ? 30 : 15,
          paid: category !== 'Meal',
        });
      }
    }
    bus.set(bu.id, {
      id: bu.id,
      name: bu.name,
      timeZone: bu.timeZone ?? firstMu?.timeZone ?? s.start.zone,
      codes,
    });
  }
  for (const mu of s.managementUnits) {
    mus.set(mu.id, {
      id: mu.id,
      name: mu.name,
      businessUnitId: mu.businessUnitId,
      timeZone: mu.timeZone,
      divisionId: mu.divisionId ?? s.divisions[0]!.id,
      adherenceTopic: `v2.workforcemanagement.managementunits.${mu.id}.adherence`,
      schedulesChangedTopic: `v2.workforcemanagement.managementunits.${mu.id}.agentschedules.changed`,
    });
  }
  return { bus, mus };
}

/** MU-local Monday (`YYYY-MM-DD`) of the week holding a local date. */
export function weekOf(localDate: string): string {
  return DateTime.fromISO(localDate).startOf('week').toISODate() ?? localDate;
}

/** A shift from activities already on the wire; activities sorted by start. */
export function makeShift(
  id: string,
  activities: ScheduledActivity[],
  time: WorldTime,
  zone: string,
  manuallyEdited = false,
): Shift {
  const sorted = [...activities].sort((a, b) => a.start - b.start);
  const localDate = time.wireToLocalDate(sorted[0]!.start, zone);
  return { id, localDate, activities: sorted, manuallyEdited, weekDate: weekOf(localDate) };
}

export function shiftStart(shift: Shift): number {
  return shift.activities[0]!.start;
}

export function shiftEnd(shift: Shift): number {
  let end = 0;
  for (const a of shift.activities) end = Math.max(end, a.start + a.lengthMinutes * 60_000);
  return end;
}

/** Deterministic shift id from agent, date and position (independent of the world seed). */
export function shiftId(agentId: string, localDate: string, n: number): string {
  return createRng(hashString(`shift:${agentId}:${localDate}:${n}`)).uuid();
}

/**
 * The initial shifts of one agent: its group template (MU-local wall times, DST-correct through luxon, shifted by
 * the group stagger) plus explicit `schedules[]` entries.
 */
export function initialShifts(s: Scenario, spec: ExpandedAgent, time: WorldTime, zone: string): Shift[] {
  const shifts: Shift[] = [];
  if (spec.schedule) {
    const template = s.scheduleTemplates[spec.schedule.template];
    const stagger = spec.schedule.staggerMinutes;
    const offset = stagger ? stagger[(spec.indexInGroup - 1) % stagger.length]! : 0;
    template?.shifts.forEach((ts) => {
      for (const date of ts.dates) {
        const activities = ts.activities.map((a) => {
          const wall = DateTime.fromISO(`${date}T${a.start}`, { zone }).plus({ minutes: offset });
          return {
            start: time.wallToWire(wall.toFormat("yyyy-LL-dd'T'HH:mm:ss"), zone),
            lengthMinutes: a.lengthMinutes,
            activityCodeId: a.activityCodeId,
          };
        });
        shifts.push(makeShift(shiftId(spec.id, date, shifts.length), activities, time, zone));
      }
    });
  }
  for (const entry of s.schedules.filter((e) => e.agentId === spec.id)) {
    for (const sh of entry.shifts) {
      const activities = sh.activities.map((a) => ({
        start: time.scheduleTimeToWire(a.start, zone),
        lengthMinutes: a.lengthMinutes,
        activityCodeId: a.activityCodeId,
      }));
      const shift = makeShift('', activities, time, zone);
      shifts.push({ ...shift, id: sh.id ?? shiftId(spec.id, shift.localDate, shifts.length) });
    }
  }
  return shifts.sort((a, b) => shiftStart(a) - shiftStart(b));
}
