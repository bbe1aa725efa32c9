import { latest, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

/** Routing NOT_RESPONDING beyond the grace: the agent gets no interactions until someone resets it. */
export const stuckNotResponding: RuleDefinition = {
  id: 'stuck-not-responding',
  description: 'The routing status stays NOT_RESPONDING beyond the grace.',
  legitimate:
    'An agent who missed one alert and sets themselves back within the grace. When presence is known and not ' +
    'ON_QUEUE, routable-while-offline owns the case (its fix is OFF_QUEUE, not IDLE).',
  needsWfm: false,
  evaluate({ signals }) {
    const { presence, routing } = signals;
    if (routing?.value !== 'NOT_RESPONDING') return null;
    if (presence !== undefined && presence.value.system !== 'ON_QUEUE') return null;
    return {
      since: latest(routing.at, presence?.at),
      summary: 'The routing status is stuck in NOT_RESPONDING: no interactions are routed.',
      evidence: [
        signalEvidence('routing', routing),
        ...(presence === undefined ? [] : [signalEvidence('presence', presence)]),
      ],
    };
  },
  plan() {
    return { kind: 'set-routing-status', target: { status: 'IDLE' } };
  },
};
