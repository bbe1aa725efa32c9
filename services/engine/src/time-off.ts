import {
  MAX_TIME_OFF_INTERVALS,
  type SignalUpdate,
  type TimeOffInterval,
  timeOffActiveAt,
} from '@lockstep/domain';
import { isGenesysError, type TimeOffRequestResponse, type WfmApi } from '@lockstep/genesys';
import { DateTime, IANAZone } from 'luxon';

const DAY_MS = 86_400_000;
/** Intervals kept around the read: the last day (when the latest time off ended) and the coming week. */
const KEEP_PAST_MS = DAY_MS;
const KEEP_AHEAD_MS = 8 * DAY_MS;

const approved = (r: TimeOffRequestResponse): boolean => r.status?.toUpperCase() === 'APPROVED';
const pending = (r: TimeOffRequestResponse): boolean => r.status?.toUpperCase() === 'PENDING';

/**
 * The approved time off of these requests as instants, computed in the management unit's IANA `zone`:
 * - a full day (`fullDayManagementUnitDates`, a date in the MU's zone) runs from that local midnight to the next
 *   one (23 or 25 hours across a DST change);
 * - a partial day starts at each `partialDayStartDateTimes` instant (read in `zone` when it carries no offset) and
 *   lasts that day's `durationMinutes` (else `dailyDurationMinutes`), at most a day.
 * Intervals are merged when they overlap or touch, sorted, limited to those overlapping
 * [now − 1 day, now + 8 days] and to `MAX_TIME_OFF_INTERVALS` (the earliest kept). Unparseable dates are skipped.
 * Pure.
 */
export function timeOffIntervals(
  requests: readonly TimeOffRequestResponse[],
  zone: string,
  now: number,
  which: (r: TimeOffRequestResponse) => boolean = approved,
): TimeOffInterval[] {
  const raw: TimeOffInterval[] = [];
  for (const r of requests) {
    if (!which(r)) continue;
    for (const date of r.fullDayManagementUnitDates ?? []) {
      const start = DateTime.fromISO(String(date), { zone }).startOf('day');
      if (!start.isValid) continue;
      raw.push({ start: start.toMillis(), end: start.plus({ days: 1 }).startOf('day').toMillis() });
    }
    (r.partialDayStartDateTimes ?? []).forEach((text, i) => {
      const start = DateTime.fromISO(String(text), { zone });
      const minutes = r.durationMinutes?.[i] ?? r.dailyDurationMinutes ?? 0;
      if (!start.isValid || !(minutes > 0)) return;
      raw.push({ start: start.toMillis(), end: start.toMillis() + Math.min(minutes * 60_000, DAY_MS) });
    });
  }
  raw.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: TimeOffInterval[] = [];
  for (const i of raw) {
    const last = merged[merged.length - 1];
    if (last !== undefined && i.start <= last.end) {
      if (i.end > last.end) merged[merged.length - 1] = { start: last.start, end: i.end };
    } else merged.push(i);
  }
  return merged
    .filter((i) => i.end > now - KEEP_PAST_MS && i.start < now + KEEP_AHEAD_MS)
    .slice(0, MAX_TIME_OFF_INTERVALS);
}

/**
 * A time off as wall-clock text in `zone`, for findings: `Sat 28 Nov 08:00–16:00 CST`, or `Sat 28 Nov (full day
 * CST)` for local midnight to local midnight (also across a DST change), or both dates when it spans days. Pure.
 */
export function timeOffText(interval: TimeOffInterval, zone: string): string {
  const start = DateTime.fromMillis(interval.start, { zone, locale: 'en-US' });
  const end = DateTime.fromMillis(interval.end, { zone, locale: 'en-US' });
  const day = (d: DateTime) => d.toFormat('ccc d LLL');
  const tz = start.offsetNameShort ?? start.toFormat('ZZ');
  const midnight = (d: DateTime) => d.hour === 0 && d.minute === 0;
  if (midnight(start) && midnight(end)) {
    const lastDay = end.minus({ days: 1 });
    return lastDay.hasSame(start, 'day')
      ? `${day(start)} (full day ${tz})`
      : `${day(start)}–${day(lastDay)} (full days ${tz})`;
  }
  if (end.minus({ milliseconds: 1 }).hasSame(start, 'day')) {
    return `${day(start)} ${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')} ${tz}`;
  }
  return `${day(start)} ${start.toFormat('HH:mm')} – ${day(end)} ${end.toFormat('HH:mm')} ${tz}`;
}

/** A `timeOff` signal update. */
export type TimeOffUpdate = Extract<SignalUpdate, { signal: 'timeOff' }>;

/** The `timeOff` signal of an agent's requests read at `now`, in the MU's `zone`. Pure. */
export function timeOffSignal(
  requests: readonly TimeOffRequestResponse[],
  zone: string,
  now: number,
): TimeOffUpdate {
  const intervals = timeOffIntervals(requests, zone, now);
  const pendingIntervals = timeOffIntervals(requests, zone, now, pending)
    .filter((i) => i.end > now)
    .map((i) => ({ ...i, text: timeOffText(i, zone) }));
  const value = { active: false, pending: requests.filter(pending).length, intervals, pendingIntervals };
  return {
    signal: 'timeOff',
    value: { ...value, active: timeOffActiveAt(value, now) },
    at: now,
    source: 'resync',
  };
}

export interface TimeOffReaderDeps {
  readonly wfm: Pick<WfmApi, 'getAgentManagementUnit' | 'listTimeOffRequests' | 'getBusinessUnitTimeZone'>;
  /** How long an agent's management unit and a business unit's time zone are reused. Default 1 h. */
  readonly cacheTtlMs?: number;
  /** Called once per business unit whose time zone is missing or not an IANA zone (then UTC is used). */
  readonly onUnknownZone?: (businessUnitId: string | null, zone: string | undefined) => void;
  /** Told, at each read, the agent's management unit and the IANA zone its time off was computed in. */
  readonly onUnit?: (agentId: string, unit: { managementUnitId: string; timeZone: string }) => void;
}

/** Reads agents' time off over WFM REST. */
export interface TimeOffReader {
  /**
   * The `timeOff` signal of an agent at `now`, or `undefined` when the agent is in no management unit (404). Throws the
   * Genesys error of a failed read (the agent's cached management unit is then dropped).
   */
  read(agentId: string, now: number): Promise<TimeOffUpdate | undefined>;
  /** Forgets an agent's cached management unit. */
  forget(agentId: string): void;
}

/**
 * Reads time off: the agent's management unit and business unit (cached), the business unit's IANA time zone
 * (cached per business unit), then the agent's time-off requests (every read).
 */
export function createTimeOffReader(deps: TimeOffReaderDeps): TimeOffReader {
  const ttl = deps.cacheTtlMs ?? 3_600_000;
  const units = new Map<string, { mu: string | null; bu: string | null; until: number }>();
  const zones = new Map<string, { zone: string; until: number }>();
  const warned = new Set<string>();

  async function zoneOf(bu: string | null, now: number): Promise<string> {
    const cached = bu === null ? undefined : zones.get(bu);
    if (cached !== undefined && cached.until > now) return cached.zone;
    const read = bu === null ? undefined : await deps.wfm.getBusinessUnitTimeZone(bu);
    const valid = read !== undefined && IANAZone.isValidZone(read);
    if (!valid && !warned.has(bu ?? '')) {
      warned.add(bu ?? '');
      deps.onUnknownZone?.(bu, read);
    }
    const zone = valid ? read : 'UTC';
    if (bu !== null) zones.set(bu, { zone, until: now + ttl });
    return zone;
  }

  return {
    async read(agentId, now) {
      let unit = units.get(agentId);
      if (unit === undefined || unit.until <= now) {
        let ref: Awaited<ReturnType<typeof deps.wfm.getAgentManagementUnit>> = {};
        try {
          ref = await deps.wfm.getAgentManagementUnit(agentId);
        } catch (err) {
          // An agent in no management unit has no time off to read: remembered like a found unit.
          if (!isGenesysError(err, 'GENESYS_NOT_FOUND')) throw err;
        }
        unit = { mu: ref.managementUnit?.id ?? null, bu: ref.businessUnit?.id ?? null, until: now + ttl };
        units.set(agentId, unit);
      }
      if (unit.mu === null) return undefined;
      try {
        const requests = await deps.wfm.listTimeOffRequests(unit.mu, agentId);
        const zone = await zoneOf(unit.bu, now);
        deps.onUnit?.(agentId, { managementUnitId: unit.mu, timeZone: zone });
        return timeOffSignal(requests, zone, now);
      } catch (err) {
        // The agent may have moved to another management unit: look it up again next time.
        units.delete(agentId);
        throw err;
      }
    },
    forget(agentId) {
      units.delete(agentId);
    },
  };
}
