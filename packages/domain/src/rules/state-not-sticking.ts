import type { RoutingStatus } from '../presence.js';
import type { AgentSignals } from '../signals.js';
import { duration, signalEvidence } from './facts.js';
import type { Declaration, Evidence, RuleDefinition } from './types.js';

// Routing statuses that honour a declared one: declaring IDLE does not stop the agent from taking calls.
function routingHonours(declared: RoutingStatus, actual: RoutingStatus): boolean {
  if (declared === actual) return true;
  return declared === 'IDLE' && (actual === 'INTERACTING' || actual === 'COMMUNICATING');
}

/** Which declared signals were reverted inside the window, as evidence (empty when none). */
function reverted(declared: Declaration, signals: AgentSignals, windowMs: number): Evidence[] {
  const out: Evidence[] = [];
  const inWindow = (at: number) => at > declared.at && at <= declared.at + windowMs;
  const { presence, routing } = signals;
  if (declared.presence !== null && presence !== undefined && inWindow(presence.at)) {
    if (presence.value.system !== declared.presence) out.push(signalEvidence('presence', presence));
  }
  if (declared.routing !== null && routing !== undefined && inWindow(routing.at)) {
    if (!routingHonours(declared.routing, routing.value)) out.push(signalEvidence('routing', routing));
  }
  return out;
}

function declarationText(d: Declaration): string {
  return [
    d.presence === null ? '' : `presence=${d.presence}`,
    d.routing === null ? '' : `routing=${d.routing}`,
  ]
    .filter((s) => s !== '')
    .join(',');
}

/** A state declared by lockstep or another system is reverted within the window: systems fighting. */
export const stateNotSticking: RuleDefinition = {
  id: 'state-not-sticking',
  description:
    'A declared state (DECLARE: set by lockstep after a correction, or by another system) is reverted within the ' +
    'window (default 2 minutes): two systems are fighting over the agent.',
  legitimate:
    'Routing IDLE turning INTERACTING/COMMUNICATING (calls arrive); changes after the window or after the ' +
    'declaration expired.',
  needsWfm: false,
  evaluate({ declared, signals, now, policy }) {
    if (declared === null || now >= declared.until) return null;
    const { windowMs } = policy.rules['state-not-sticking'];
    const evidence = reverted(declared, signals, windowMs);
    if (evidence.length === 0) return null;
    return {
      since: Math.max(...evidence.map((e) => e.at)),
      until: declared.until,
      summary: `State declared by ${declared.by} was reverted within ${duration(windowMs)}: systems are fighting.`,
      evidence: [
        { name: 'declared', value: `${declarationText(declared)} by ${declared.by}`, at: declared.at },
        ...evidence,
      ],
    };
  },
  plan({ declared, signals, policy }) {
    if (declared === null) return null;
    const evidence = reverted(declared, signals, policy.rules['state-not-sticking'].windowMs);
    if (declared.presence !== null && evidence.some((e) => e.name === 'presence')) {
      return { kind: 'set-presence', target: { presence: declared.presence, definitionId: null } };
    }
    if (declared.routing !== null)
      return { kind: 'set-routing-status', target: { status: declared.routing } };
    return null;
  },
};
