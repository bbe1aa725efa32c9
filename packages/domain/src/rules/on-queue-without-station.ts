import { latest, signalEvidence } from './facts.js';
import type { Evidence, RuleDefinition } from './types.js';

/** Presence On Queue with no associated station, or with a dead one: alerts cannot reach the agent. */
export const onQueueWithoutStation: RuleDefinition = {
  id: 'on-queue-without-station',
  description: 'Presence is ON_QUEUE with no associated station, or with a dead one (reported or inferred).',
  legitimate:
    'Login order: presence may turn On Queue a few seconds before the station association arrives (grace). An ' +
    'unknown station (never observed) never fires.',
  needsWfm: false,
  evaluate({ signals, station: health }) {
    const { presence, station } = signals;
    if (presence?.value.system !== 'ON_QUEUE' || station === undefined) return null;
    const evidence: Evidence[] = [signalEvidence('presence', presence), signalEvidence('station', station)];
    if (station.value.stationId === null) {
      return {
        since: latest(presence.at, station.at),
        summary: 'Presence is On Queue but no station is associated: alerts cannot reach the agent.',
        evidence,
      };
    }
    if (health.health !== 'dead') return null;
    evidence.push({ name: 'stationHealth', value: `dead (${health.origin})`, at: health.at });
    return {
      since: latest(presence.at, station.at, health.at),
      summary: `Presence is On Queue on a dead station (${health.origin}): alerts cannot reach the agent.`,
      evidence,
    };
  },
  // Associating a station needs the agent's own softphone: there is no safe automatic correction.
  plan() {
    return null;
  },
};
