import { latest, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

/** Presence On Queue while routing stays OFF_QUEUE: the agent believes they take calls but gets none. */
export const onQueueNotRoutable: RuleDefinition = {
  id: 'on-queue-not-routable',
  description: 'Presence is ON_QUEUE while the routing status stays OFF_QUEUE.',
  legitimate:
    'The moments between the presence and the routing-status events when an agent goes On Queue (covered by the grace).',
  needsWfm: false,
  evaluate({ signals }) {
    const { presence, routing } = signals;
    if (presence?.value.system !== 'ON_QUEUE' || routing?.value !== 'OFF_QUEUE') return null;
    return {
      since: latest(presence.at, routing.at),
      summary: 'Presence is On Queue but the routing status is OFF_QUEUE: no interactions are routed.',
      evidence: [signalEvidence('presence', presence), signalEvidence('routing', routing)],
    };
  },
  plan({ signals, policy }) {
    if (policy.rules['on-queue-not-routable'].fix === 'reassert-presence') {
      const definitionId = signals.presence?.value.definitionId ?? null;
      return { kind: 'set-presence', target: { presence: 'ON_QUEUE', definitionId } };
    }
    return { kind: 'set-routing-status', target: { status: 'IDLE' } };
  },
};
