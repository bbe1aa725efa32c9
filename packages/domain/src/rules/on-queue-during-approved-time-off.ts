import { latest, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

/** Approved time off covers now, yet the agent is On Queue and can be offered interactions. */
export const onQueueDuringApprovedTimeOff: RuleDefinition = {
  id: 'on-queue-during-approved-time-off',
  description:
    'An approved time off (full day in the MU zone, or partial) covers now and the agent is ON_QUEUE.',
  legitimate:
    'An interaction that overruns into the time off (the rule waits until it ends), and a request approved ' +
    'after the agent went On Queue (grace counts from the later of both).',
  needsWfm: true,
  evaluate(input) {
    const { signals, busy, now } = input;
    const { presence, timeOff } = signals;
    if (presence?.value.system !== 'ON_QUEUE' || busy || timeOff === undefined) return null;
    const covering = (timeOff.value.intervals ?? []).find((i) => i.start <= now && now < i.end);
    if (covering === undefined) return null;
    return {
      since: latest(presence.at, covering.start),
      until: covering.end,
      summary: 'Approved time off covers now but the agent is On Queue.',
      evidence: [
        signalEvidence('presence', presence),
        { name: 'approvedTimeOff', value: `${covering.start}-${covering.end}`, at: covering.start },
      ],
    };
  },
  plan() {
    return { kind: 'set-presence', target: { presence: 'AWAY', definitionId: null } };
  },
};
