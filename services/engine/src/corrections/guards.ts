import { type CorrectionTarget, isWorkingStatus } from '@lockstep/domain';
import type { FreshAgent } from './fresh-state.js';

/** What the engine knows beyond a REST read: the station's health as the domain judged it from the signals. */
export interface KnownAgent {
  readonly stationHealth: 'ok' | 'dead' | 'unknown';
}

export type GuardVerdict =
  | { readonly verdict: 'send' }
  /** Not now: the agent has an interaction (or the read could not say). Re-checked once it ends. */
  | { readonly verdict: 'defer'; readonly reason: string }
  /** Nothing to do: the state already matches (presence is never re-sent: it would reset the routing score). */
  | { readonly verdict: 'skip'; readonly reason: string }
  /** Never safe as asked. */
  | { readonly verdict: 'refuse'; readonly reason: string };

/** Whether the correction would make the agent routable (On Queue presence or an IDLE routing status). */
export function makesRoutable(target: CorrectionTarget): boolean {
  return (
    (target.kind === 'set-presence' && target.target.presence === 'ON_QUEUE') ||
    (target.kind === 'set-routing-status' && target.target.status === 'IDLE')
  );
}

/**
 * The guards checked just before a correction request, on a fresh read. Pure. In order: an agent with ANY
 * interaction (alerting, connected, held or in wrap-up, on any media, ACD or not), or whose read does not say,
 * is deferred; a state that already matches is skipped; making an agent routable without a station, or with a
 * station known dead, is refused; station changes are refused (not applied automatically).
 */
export function guardCorrection(
  target: CorrectionTarget,
  fresh: FreshAgent,
  known: KnownAgent,
): GuardVerdict {
  if (fresh.interactions === null) return { verdict: 'defer', reason: 'interaction state unknown' };
  const { active, acw } = fresh.interactions;
  if (active > 0 || acw > 0) {
    return { verdict: 'defer', reason: `has an interaction (${active} active, ${acw} in wrap-up)` };
  }
  if (fresh.routing !== null && isWorkingStatus(fresh.routing)) {
    return { verdict: 'defer', reason: `routing status ${fresh.routing}` };
  }
  switch (target.kind) {
    case 'set-presence': {
      const { presence, definitionId } = target.target;
      if (
        fresh.presence?.system === presence &&
        (definitionId === null || fresh.presence.definitionId === definitionId)
      ) {
        return { verdict: 'skip', reason: `presence already ${presence}` };
      }
      if (fresh.presence === null) return { verdict: 'defer', reason: 'presence unknown' };
      break;
    }
    case 'set-routing-status':
      if (fresh.routing === target.target.status) {
        return { verdict: 'skip', reason: `routing status already ${target.target.status}` };
      }
      if (fresh.routing === null) return { verdict: 'defer', reason: 'routing status unknown' };
      break;
    case 'disassociate-station':
      return { verdict: 'refuse', reason: 'station changes are not applied automatically' };
  }
  if (makesRoutable(target)) {
    if (fresh.stationId === null) return { verdict: 'refuse', reason: 'no station associated' };
    if (fresh.stationId === undefined) return { verdict: 'defer', reason: 'station unknown' };
    if (known.stationHealth === 'dead') return { verdict: 'refuse', reason: 'station known dead' };
  }
  return { verdict: 'send' };
}
