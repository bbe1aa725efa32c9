import { timeOffActiveAt } from '../time-off.js';
import { latest, signalEvidence } from './facts.js';
import type { Evidence, RuleDefinition } from './types.js';

/**
 * Scheduled on-queue work has started, the agent is logged in, and no healthy station is associated: the
 * softphone did not come up at shift start (the Friday-publish symptom).
 */
export const stationNotUpAtShiftStart: RuleDefinition = {
  id: 'station-not-up-at-shift-start',
  description:
    'WFM schedules OnQueueWork, the agent is logged in (not OFFLINE), and no station is associated or the ' +
    'associated one is dead (reported or inferred).',
  legitimate:
    'Login order: the station association arrives a few seconds after the login (grace counts from the later ' +
    'of shift start, login and the last station change). An agent working an interaction, on active time off, ' +
    'or whose station was never observed does not fire.',
  needsWfm: true,
  evaluate(input) {
    const { signals, schedule, station: health, busy, now } = input;
    const { presence, station } = signals;
    if (schedule === undefined || schedule.value.category !== 'OnQueueWork') return null;
    if (presence === undefined || presence.value.system === 'OFFLINE' || station === undefined) return null;
    if (busy || timeOffActiveAt(signals.timeOff?.value, now)) return null;
    const associated = station.value.stationId !== null;
    if (associated && health.health !== 'dead') return null;
    const facts: Evidence[] = [
      signalEvidence('schedule', schedule),
      signalEvidence('presence', presence),
      signalEvidence('station', station),
    ];
    if (associated) facts.push({ name: 'stationHealth', value: `dead (${health.origin})`, at: health.at });
    // The WFM facts (schedule change, time off, shift start) are added by the evaluation, as for every WFM rule.
    return {
      since: latest(schedule.at, presence.at, station.at, associated ? health.at : undefined),
      summary: `Scheduled on-queue work has started and the agent is logged in, but ${associated ? 'the station is dead' : 'no station is associated'}.`,
      evidence: facts,
    };
  },
  // Bringing a station up needs the agent's own softphone: there is no safe automatic correction.
  plan() {
    return null;
  },
};
