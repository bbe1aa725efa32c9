import { latest, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

/** Presence offline or away-type while routing is IDLE or NOT_RESPONDING: a ghost session taking alerts. */
export const routableWhileOffline: RuleDefinition = {
  id: 'routable-while-offline',
  description:
    'Presence is OFFLINE or another off-queue presence (configurable list) while the routing status is IDLE or ' +
    'NOT_RESPONDING: a ghost session.',
  legitimate:
    'INTERACTING or COMMUNICATING with an off-queue presence is legitimate (the agent picked their next status ' +
    'during a call) and never matches. The OFF_QUEUE event may trail a logout by seconds (grace).',
  needsWfm: false,
  evaluate({ signals, policy }) {
    const { presence, routing } = signals;
    if (presence === undefined || routing === undefined) return null;
    if (routing.value !== 'IDLE' && routing.value !== 'NOT_RESPONDING') return null;
    const presences: readonly string[] = policy.rules['routable-while-offline'].presences;
    if (!presences.includes(presence.value.system)) return null;
    return {
      since: latest(presence.at, routing.at),
      summary: `Presence is ${presence.value.system} but the routing status is ${routing.value}: a ghost session.`,
      evidence: [signalEvidence('presence', presence), signalEvidence('routing', routing)],
    };
  },
  plan() {
    return { kind: 'set-routing-status', target: { status: 'OFF_QUEUE' } };
  },
};
