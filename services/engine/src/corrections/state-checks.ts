import type { AgentSignals } from '@lockstep/domain';
import type { FreshAgent } from './fresh-state.js';
import type { KnownAgent } from './guards.js';
import type { ReceivedIntent } from './priority.js';

/** The station health the engine's signals and findings show: reported dead, or dead inferred by the domain. */
export function knownAgent(signals: AgentSignals | undefined, openRules: readonly string[]): KnownAgent {
  const health = signals?.stationHealth;
  const associatedAt = signals?.station?.value.stationId != null ? signals.station.at : 0;
  if (health?.value === 'dead' && health.at >= associatedAt) return { stationHealth: 'dead' };
  if (openRules.includes('repeated-not-responding')) return { stationHealth: 'dead' };
  return { stationHealth: health?.value ?? 'unknown' };
}

/**
 * Whether the engine's committed signals show the state the intent asked for, from an observation newer than
 * `seenBefore` (what the engine had seen when the request left), so a stale value never confirms. Lockstep's
 * own `correction` entries do not count: only what the platform reported (an event, or a re-read). Pure.
 */
export function confirmedBySignals(
  intent: ReceivedIntent,
  signals: AgentSignals,
  seenBefore: { readonly presence: number; readonly routing: number },
): boolean {
  switch (intent.kind) {
    case 'set-presence': {
      const p = signals.presence;
      return (
        p !== undefined &&
        p.source !== 'correction' &&
        p.seenAt > seenBefore.presence &&
        p.value.system === intent.target.presence
      );
    }
    case 'set-routing-status': {
      const r = signals.routing;
      if (r === undefined || r.source === 'correction' || r.seenAt <= seenBefore.routing) return false;
      return (
        r.value === intent.target.status ||
        (intent.target.status === 'IDLE' && (r.value === 'INTERACTING' || r.value === 'COMMUNICATING'))
      );
    }
    case 'disassociate-station':
      return false;
  }
}

/** Whether a read shows the state the intent asked for. Pure. */
export function confirmed(intent: ReceivedIntent, fresh: FreshAgent): boolean {
  switch (intent.kind) {
    case 'set-presence':
      return fresh.presence?.system === intent.target.presence;
    case 'set-routing-status':
      // An agent made IDLE may be offered a call at once: a working status proves the change too.
      return (
        fresh.routing === intent.target.status ||
        (intent.target.status === 'IDLE' &&
          (fresh.routing === 'INTERACTING' || fresh.routing === 'COMMUNICATING'))
      );
    case 'disassociate-station':
      return false;
  }
}
