import { DateTime } from 'luxon';
import { SimApiError } from './contract.js';

/**
 * Maps scenario wall times to wire instants. The scenario start (a wall time in the scenario zone) is anchored to
 * `anchorMs`; every other scenario instant keeps its distance to the start, so wire = anchor + (instant − start).
 */
export interface WorldTime {
  /** Epoch ms of the scenario start in its own calendar (not shifted). */
  readonly startEpochMs: number;
  readonly anchorMs: number;
  readonly zone: string;
  /** Wire ms of a wall time `YYYY-MM-DDTHH:mm[:ss]` in `zone` (DST-correct, via luxon). */
  wallToWire(local: string, zone: string): number;
  /** Wire ms of a schedule time: MU-local wall time or ISO instant (an instant is taken as already on the wire). */
  scheduleTimeToWire(value: string, zone: string): number;
  /** Wall-clock date `YYYY-MM-DD` in `zone` of a wire instant (undoing the anchor shift). */
  wireToLocalDate(wireMs: number, zone: string): string;
  /** Wire ms of local midnight starting `date` (`YYYY-MM-DD`) in `zone`. */
  localDateStartToWire(date: string, zone: string): number;
  /** Simulated ms since start of a wire instant. */
  wireToSim(wireMs: number): number;
  simToWire(simMs: number): number;
}

/** Parses a local wall time strictly; throws on times that do not exist (e.g. inside a spring-forward gap). */
function wallToEpoch(local: string, zone: string): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`invalid wall time ${local} in ${zone}: ${dt.invalidExplanation ?? ''}`);
  return dt.toMillis();
}

export function createWorldTime(
  start: { local: string; zone: string },
  anchorMs: number | undefined,
): WorldTime {
  const startEpochMs = wallToEpoch(start.local, start.zone);
  const anchor = anchorMs ?? Date.now();
  const offset = anchor - startEpochMs;
  return {
    startEpochMs,
    anchorMs: anchor,
    zone: start.zone,
    wallToWire(local, zone) {
      return wallToEpoch(local, zone) + offset;
    },
    scheduleTimeToWire(value, zone) {
      if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) {
        const ms = Date.parse(value);
        if (Number.isNaN(ms)) throw new SimApiError(400, 'invalid.date', `invalid date ${value}`);
        return ms;
      }
      return wallToEpoch(value, zone) + offset;
    },
    wireToLocalDate(wireMs, zone) {
      return DateTime.fromMillis(wireMs - offset, { zone }).toISODate() ?? '';
    },
    localDateStartToWire(date, zone) {
      return wallToEpoch(`${date}T00:00`, zone) + offset;
    },
    wireToSim(wireMs) {
      return wireMs - anchor;
    },
    simToWire(simMs) {
      return anchor + simMs;
    },
  };
}

/** ISO-8601 UTC with milliseconds, the wire date format (reference §3). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
