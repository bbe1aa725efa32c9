import {
  type AgentAttributes,
  type AgentSignals,
  currentOrNextShiftStart,
  timeOffActiveAt,
} from '@lockstep/domain';
import { DateTime } from 'luxon';
import type { User } from '@lockstep/genesys';
import type { AgentMemberships } from '../discovery.js';

/** What a user read says about an agent for incidents and the agent directory. */
export interface UserFacts {
  /** The user's name (directory profile only: not an incident attribute). */
  readonly name: string | null;
  readonly divisionId: string | null;
  /** Type of the associated station, else of the effective, default or last associated one. */
  readonly stationType: string | null;
}

/**
 * Facts the WFM schedules work provides for an agent, set through `AttributesKeeper.setWfmFacts`. A field left
 * out keeps its previous value; `null` clears it.
 */
export interface WfmFacts {
  /** The management unit as WFM reports it (wins over the unit discovery found the agent through). */
  readonly managementUnitId?: string | null;
  /** The business unit's IANA zone (the zone the agent's schedule is in). */
  readonly timeZone?: string | null;
  /** How (`swap`, `edit`, `publish`, ...) and when (epoch ms) the agent's schedule last changed. */
  readonly scheduleChange?: { readonly kind: string; readonly at: number } | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The WFM facts a loaded schedule gives: how and when it last changed. Pure. */
export function wfmFactsOfSchedule(value: {
  readonly changedAt: number | null;
  readonly change: string | null;
}): WfmFacts {
  return {
    scheduleChange: value.changedAt === null ? null : { kind: value.change ?? 'edit', at: value.changedAt },
  };
}

/** The facts of a user read: name, division and station type. Pure. */
export function userFacts(user: User): UserFacts {
  const s = user.station;
  const stationType =
    s?.associatedStation?.type ??
    s?.effectiveStation?.type ??
    s?.defaultStation?.type ??
    s?.lastAssociatedStation?.type ??
    null;
  return {
    name: typeof user.name === 'string' ? user.name : null,
    divisionId: user.division?.id ?? null,
    stationType: stationType || null,
  };
}

/**
 * Start of the agent's current or next shift (from the published schedule) as wall-clock time in the business
 * unit's zone, e.g. `06:00`, so agents of the same early shift share it across DST changes; `12:00 UTC` when the
 * zone is unknown; `null` with no shift ahead.
 */
export function localShiftStart(signals: AgentSignals | undefined, timeZone: string | null, now: number) {
  const start = currentOrNextShiftStart(signals?.plannedSchedule?.value.segments ?? [], now);
  if (start === null) return null;
  if (timeZone === null) return `${DateTime.fromMillis(start, { zone: 'UTC' }).toFormat('HH:mm')} UTC`;
  const local = DateTime.fromMillis(start, { zone: timeZone });
  return local.isValid
    ? local.toFormat('HH:mm')
    : `${DateTime.fromMillis(start, { zone: 'UTC' }).toFormat('HH:mm')} UTC`;
}

export interface AttributesInput {
  readonly memberships: AgentMemberships | undefined;
  readonly user: UserFacts | undefined;
  readonly wfm: WfmFacts | undefined;
  readonly signals: AgentSignals | undefined;
  readonly now: number;
}

/**
 * An agent's attributes from what the engine knows: discovery's memberships (selected queues, the unit or
 * division it was found through), the last user read (division, station type), the WFM facts, and the committed
 * signals (time off pending or approved, an interaction in progress, who last set presence). Pure.
 */
export function attributesOf(input: AttributesInput): AgentAttributes {
  const { memberships, user, wfm, signals, now } = input;
  const change = wfm?.scheduleChange;
  const timeOff = signals?.timeOff?.value;
  let timeOffState: AgentAttributes['timeOff'] = null;
  if (timeOff !== undefined) {
    if (timeOff.pending > 0) timeOffState = 'pending';
    else if (timeOffActiveAt(timeOff, now) || (timeOff.intervals ?? []).some((i) => i.end > now)) {
      timeOffState = 'approved';
    }
  }
  return {
    queueIds: [...(memberships?.queueIds ?? [])].sort(),
    managementUnitId: wfm?.managementUnitId ?? memberships?.managementUnitIds[0] ?? null,
    divisionId: user?.divisionId ?? memberships?.divisionIds[0] ?? null,
    timeZone: wfm?.timeZone ?? null,
    stationType: user?.stationType ?? null,
    scheduleChange24h:
      change !== null && change !== undefined && now - change.at < DAY_MS && change.at <= now
        ? change.kind
        : null,
    timeOff: timeOffState,
    shiftStart: localShiftStart(signals, wfm?.timeZone ?? null, now),
    interactionInProgress: (signals?.interactions?.value.active ?? 0) > 0,
    presenceSource: signals?.presence?.value.source ?? null,
  };
}
