import { isWorkingStatus } from '../presence.js';
import type { AgentSignals, SignalName, SignalValues, Stamped } from '../signals.js';
import { signalValueText } from '../signals.js';
import type { EffectiveStationHealth, Evidence } from './types.js';

/** Evidence entry for a merged signal. */
export function signalEvidence<K extends SignalName>(name: K, stamped: Stamped<SignalValues[K]>): Evidence {
  return {
    name,
    value: signalValueText({ signal: name, value: stamped.value } as Parameters<typeof signalValueText>[0]),
    at: stamped.at,
  };
}

/** The agent is working an interaction: never correct them, and off-queue presences are legitimate. */
export function isBusy(signals: AgentSignals): boolean {
  const routing = signals.routing?.value;
  if (routing !== undefined && isWorkingStatus(routing)) return true;
  const counts = signals.interactions?.value;
  return counts !== undefined && counts.active + counts.acw > 0;
}

/**
 * The instant from which NOT_RESPONDING episodes count against the current station: a (re)association, or a
 * newer report that the station is healthy, makes earlier episodes irrelevant.
 */
export function stationResetAt(signals: AgentSignals): number {
  let reset = 0;
  const station = signals.station;
  if (station !== undefined && station.value.stationId !== null) reset = station.at;
  const health = signals.stationHealth;
  if (health !== undefined && health.value === 'ok' && health.at > reset) reset = health.at;
  return reset;
}

/** Episodes (newest first) that count: inside the window ending at `now` and after the station reset. */
export function countedEpisodes(
  episodes: readonly number[],
  signals: AgentSignals,
  now: number,
  windowMs: number,
): number[] {
  const reset = stationResetAt(signals);
  return episodes.filter((e) => e > reset && e + windowMs > now);
}

/**
 * Effective station health: a reported `dead` newer than the association wins, then `dead` inferred from
 * `repeatedEpisodes` (the repeated-not-responding pattern), then a reported `ok`; otherwise `unknown`.
 */
export function effectiveStationHealth(
  signals: AgentSignals,
  counted: readonly number[],
  episodesNeeded: number,
): EffectiveStationHealth {
  const station = signals.station;
  const reported = signals.stationHealth;
  const associatedAt = station?.value.stationId != null ? station.at : 0;
  if (reported !== undefined && reported.value === 'dead' && reported.at >= associatedAt) {
    return { health: 'dead', origin: 'reported', at: reported.at };
  }
  if (counted.length >= episodesNeeded) {
    return { health: 'dead', origin: 'inferred', at: counted[0] ?? 0 };
  }
  if (reported !== undefined && reported.value === 'ok' && reported.at >= associatedAt) {
    return { health: 'ok', origin: 'reported', at: reported.at };
  }
  return { health: 'unknown', origin: 'none', at: 0 };
}

/** The latest timestamp among the given facts (a condition built from them holds at least since then). */
export function latest(...ats: readonly (number | undefined)[]): number {
  let max = 0;
  for (const at of ats) if (at !== undefined && at > max) max = at;
  return max;
}

/** Human form of a duration for summaries (`90s`, `10m`). */
export function duration(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}
