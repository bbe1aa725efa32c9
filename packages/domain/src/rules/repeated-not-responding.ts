import { countedEpisodes, duration, signalEvidence } from './facts.js';
import type { RuleDefinition } from './types.js';

/**
 * N or more NOT_RESPONDING episodes within the window on the same station: calls drop right after the ring,
 * which points to a dead softphone. While it holds, the station's effective health is `dead` (inferred).
 */
export const repeatedNotResponding: RuleDefinition = {
  id: 'repeated-not-responding',
  description:
    'N or more NOT_RESPONDING episodes within the window (default 3 in 10 minutes): a dead softphone.',
  legitimate:
    'Episodes before a station (re)association or a newer healthy station report do not count. Agents who ' +
    'really ignore alerts also match; the alert is still worth raising.',
  needsWfm: false,
  evaluate({ signals, episodes, now, policy }) {
    const { episodes: needed, windowMs } = policy.rules['repeated-not-responding'];
    const counted = countedEpisodes(episodes, signals, now, windowMs);
    const nth = counted[needed - 1];
    const newest = counted[0];
    if (nth === undefined || newest === undefined) return null;
    const { station, routing } = signals;
    // Facts stated after the newest episode do not support it (e.g. a routing status read later): left out.
    const supports = (at: number) => at <= newest;
    return {
      since: newest,
      until: nth + windowMs,
      summary: `${counted.length} NOT_RESPONDING episodes within ${duration(windowMs)}: the softphone is probably dead.`,
      evidence: [
        { name: 'episodes', value: counted.join(','), at: newest },
        ...(station === undefined || !supports(station.at) ? [] : [signalEvidence('station', station)]),
        ...(routing === undefined || !supports(routing.at) ? [] : [signalEvidence('routing', routing)]),
      ],
    };
  },
  plan({ signals }) {
    const stationId = signals.station?.value.stationId;
    return stationId == null ? null : { kind: 'disassociate-station', target: { stationId } };
  },
};
