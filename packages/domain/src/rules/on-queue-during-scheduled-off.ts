import type { ActivityCategory, SystemPresence } from '../presence.js';
import { latest, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

// The presence that matches a scheduled off-queue activity (used when the rule's action is `correct`).
const PRESENCE_FOR: Readonly<Record<Exclude<ActivityCategory, 'OnQueueWork'>, SystemPresence>> = {
  Break: 'BREAK',
  Meal: 'MEAL',
  Meeting: 'MEETING',
  Training: 'TRAINING',
  TimeOff: 'AWAY',
  OffQueueWork: 'BUSY',
  Unavailable: 'AWAY',
  Unscheduled: 'AVAILABLE',
};

/** The schedule says break/meal/meeting/training/time off, but the agent stays On Queue. */
export const onQueueDuringScheduledOff: RuleDefinition = {
  id: 'on-queue-during-scheduled-off',
  description:
    'WFM schedules Break, Meal, Meeting, Training or TimeOff (configurable) but the agent is ON_QUEUE and idle.',
  legitimate:
    'An interaction that overruns into the break: the rule waits until it ends (grace counts from then). ' +
    'Explained or ignored adherence exceptions.',
  needsWfm: true,
  evaluate({ signals, schedule, busy, policy }) {
    const { presence, routing, interactions } = signals;
    if (schedule === undefined || presence?.value.system !== 'ON_QUEUE' || busy) return null;
    const categories: readonly string[] = policy.rules['on-queue-during-scheduled-off'].categories;
    if (!categories.includes(schedule.value.category)) return null;
    if (schedule.value.adherence === 'Explained' || schedule.value.adherence === 'Ignored') return null;
    return {
      since: latest(schedule.at, presence.at, routing?.at, interactions?.at),
      summary: `Scheduled for ${schedule.value.category} but the agent is On Queue.`,
      evidence: [signalEvidence('schedule', schedule), signalEvidence('presence', presence)],
    };
  },
  plan({ schedule }) {
    const category = schedule?.value.category;
    if (category === undefined || category === 'OnQueueWork') return null;
    return { kind: 'set-presence', target: { presence: PRESENCE_FOR[category], definitionId: null } };
  },
};
