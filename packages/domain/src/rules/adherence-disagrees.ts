import type { ActivityCategory, RoutingStatus, SystemPresence } from '../presence.js';
import { plannedActivityAt } from '../planned-schedule.js';
import { latest, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

// Presences that adhere to each scheduled category (the adherence table of docs/operations.md, Schedules).
const ADHERENT: Readonly<Record<Exclude<ActivityCategory, 'Unscheduled'>, readonly SystemPresence[]>> = {
  OnQueueWork: ['ON_QUEUE'],
  Break: ['BREAK'],
  Meal: ['MEAL'],
  Meeting: ['MEETING'],
  Training: ['TRAINING'],
  TimeOff: ['OFFLINE'],
  Unavailable: ['OFFLINE', 'AWAY', 'BUSY'],
  OffQueueWork: ['AVAILABLE', 'BUSY', 'AWAY', 'IDLE'],
};

/** lockstep's own adherence verdict for a scheduled category and a presence. Pure. */
export function ownAdherence(
  category: ActivityCategory,
  presence: SystemPresence,
  routing: RoutingStatus | undefined,
): boolean | null {
  if (category === 'Unscheduled') return null;
  // On Queue while routing is OFF_QUEUE or NOT_RESPONDING takes no interactions ([UNVERIFIED] for Genesys).
  if (category === 'OnQueueWork' && (routing === 'OFF_QUEUE' || routing === 'NOT_RESPONDING')) return false;
  return ADHERENT[category].includes(presence);
}

/**
 * Genesys's real-time adherence (the `schedule` signal, from the adherence topics) and lockstep's own evaluation
 * (published schedule and presence) disagree: one of the two sources is out of step.
 */
export const adherenceDisagrees: RuleDefinition = {
  id: 'adherence-disagrees',
  description:
    "Genesys's adherence state (or the activity it says is scheduled) disagrees with lockstep's own evaluation " +
    'of the published schedule against the presence.',
  legitimate:
    'Both views lag a boundary or a presence change by a few seconds (grace). Without a loaded schedule or an ' +
    'adherence event, or while nothing is scheduled, there is nothing to compare.',
  needsWfm: true,
  evaluate({ signals, now }) {
    const { presence, schedule: genesys } = signals;
    const own = plannedActivityAt(signals, now);
    if (presence === undefined || genesys === undefined || own === undefined) return null;
    const planned = signals.plannedSchedule;
    if (planned === undefined) return null;
    const evidence = [
      signalEvidence('schedule', genesys),
      { name: 'plannedActivity', value: own.value.category, at: own.at },
      signalEvidence('presence', presence),
    ];
    if (genesys.value.category !== own.value.category) {
      return {
        since: latest(genesys.at, own.at, planned.at),
        summary: `Genesys says ${genesys.value.category} is scheduled; the published schedule says ${own.value.category}.`,
        evidence,
      };
    }
    const mine = ownAdherence(own.value.category, presence.value.system, signals.routing?.value);
    const theirs = genesys.value.adherence;
    if (mine === null || (theirs !== 'InAdherence' && theirs !== 'OutOfAdherence')) return null;
    if (mine === (theirs === 'InAdherence')) return null;
    return {
      since: latest(genesys.at, own.at, presence.at, signals.routing?.at),
      summary: `Genesys says ${theirs}; lockstep finds the agent ${mine ? 'in' : 'out of'} adherence (${own.value.category}, ${presence.value.system}).`,
      evidence,
    };
  },
  plan() {
    return null;
  },
};
