import type { RuleInput } from '../rules/types.js';
import { timeOffActiveAt } from '../time-off.js';
import type { DeclarationRequest } from './types.js';

/** Why a declaration cannot be applied now: `refused` (lockstep will not) or `deferred` (not yet). */
export interface Obstacle {
  readonly status: 'refused' | 'deferred';
  readonly why: string;
  /** Since when the obstacle holds (epoch ms). */
  readonly since: number;
}

/** `HH:MM:SSZ` of an instant (UTC: the domain knows no zone; the outcome's `since` is there for local display). */
export function clockText(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

/** Since when the agent is busy: the interaction counts' or the working routing status' timestamp. */
function busySince(input: RuleInput): number {
  const counts = input.signals.interactions;
  if (counts !== undefined && counts.value.active + counts.value.acw > 0) return counts.at;
  return input.signals.routing?.at ?? input.now;
}

/**
 * What stands between a declaration and its application now, or `null` when it is safe. Pure. Checked in this
 * order:
 * 1. On Queue with no station associated, or with a station known dead (reported, or inferred from repeated
 *    NOT_RESPONDING): `refused` (the agent could take no call; a person must fix the station).
 * 2. On Queue with the station never observed: `deferred` until it is read.
 * 3. An interaction (alerting, connected, held, after-call work; any media): `deferred` until it ends.
 * 4. On Queue during approved time off: `deferred` until it ends.
 * 5. On Queue during a scheduled off-queue activity (the `on-queue-during-scheduled-off` categories, WFM
 *    enabled) unless the declaration overrides the schedule: `deferred` until the activity ends.
 */
export function obstacleTo(request: DeclarationRequest, input: RuleInput): Obstacle | null {
  const onQueue = request.presence === 'ON_QUEUE';
  const station = input.signals.station;
  if (onQueue && station !== undefined && station.value.stationId === null) {
    return { status: 'refused', why: 'no station associated', since: station.at };
  }
  if (onQueue && input.station.health === 'dead') {
    const how = input.station.origin === 'reported' ? 'reported dead' : 'dead (repeated NOT_RESPONDING)';
    return {
      status: 'refused',
      why: `station ${station?.value.stationId ?? 'unknown'} ${how} since ${clockText(input.station.at)}`,
      since: input.station.at,
    };
  }
  if (onQueue && station === undefined) {
    return { status: 'deferred', why: 'station not known yet', since: input.now };
  }
  if (input.busy) {
    const since = busySince(input);
    return { status: 'deferred', why: `on an interaction since ${clockText(since)}`, since };
  }
  if (!onQueue) return null;
  const timeOff = input.signals.timeOff;
  if (timeOff !== undefined && timeOffActiveAt(timeOff.value, input.now)) {
    const interval = timeOff.value.intervals?.find((i) => i.start <= input.now && input.now < i.end);
    const until = interval === undefined ? '' : ` until ${clockText(interval.end)}`;
    return { status: 'deferred', why: `on approved time off${until}`, since: interval?.start ?? timeOff.at };
  }
  const schedule = input.schedule;
  const offCategories = input.policy.rules['on-queue-during-scheduled-off'].categories;
  if (
    !request.overridesSchedule &&
    input.wfm === 'enabled' &&
    schedule !== undefined &&
    offCategories.includes(schedule.value.category as (typeof offCategories)[number])
  ) {
    return {
      status: 'deferred',
      why: `scheduled ${schedule.value.category} since ${clockText(schedule.at)}`,
      since: schedule.at,
    };
  }
  return null;
}
