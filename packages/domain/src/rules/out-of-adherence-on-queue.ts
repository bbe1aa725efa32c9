import { latest, signalEvidence } from './facts.js';
import { timeOffActiveAt, timeOffEndedAt } from '../time-off.js';
import type { RuleDefinition } from './types.js';

/** The schedule says on-queue work; the agent is logged in but not On Queue. */
export const outOfAdherenceOnQueue: RuleDefinition = {
  id: 'out-of-adherence-on-queue',
  description: 'WFM schedules OnQueueWork and the agent is logged in (not OFFLINE) but not ON_QUEUE.',
  legitimate:
    'An agent finishing an interaction with a next status picked (busy), an explained or ignored adherence ' +
    'exception, active time off or out-of-office, and an agent who is offline (absence is for WFM, not a desync).',
  needsWfm: true,
  evaluate({ signals, schedule, busy, now }) {
    const { presence, timeOff, outOfOffice } = signals;
    if (schedule === undefined || presence === undefined) return null;
    if (schedule.value.category !== 'OnQueueWork') return null;
    if (presence.value.system === 'ON_QUEUE' || presence.value.system === 'OFFLINE') return null;
    if (schedule.value.adherence === 'Explained' || schedule.value.adherence === 'Ignored') return null;
    if (busy || timeOffActiveAt(timeOff?.value, now) || outOfOffice?.value === true) return null;
    // A time off that just ended starts the grace: the agent was legitimately away until then.
    const timeOffEnded = timeOffEndedAt(timeOff?.value, now) ?? 0;
    return {
      since: latest(schedule.at, presence.at, timeOffEnded),
      summary: `Scheduled for on-queue work but presence is ${presence.value.system}.`,
      evidence: [signalEvidence('schedule', schedule), signalEvidence('presence', presence)],
    };
  },
  plan() {
    return { kind: 'set-presence', target: { presence: 'ON_QUEUE', definitionId: null } };
  },
};
