/** The expected outcome of each story, as a table of checks over a `Recording`. Every check runs. Pure. */
import {
  entriesOf,
  nameOf,
  type Recording,
  type RecordedEntry,
  type StoryId,
  storyAgents,
} from './recording.js';

/** Rules that name a softphone that does not answer. */
export const DEAD_SOFTPHONE_RULES: readonly string[] = [
  'repeated-not-responding',
  'stuck-not-responding',
  'on-queue-without-station',
];
/** Rules that name an agent On Queue who cannot take calls. */
export const LOST_STATION_RULES: readonly string[] = ['on-queue-without-station', 'on-queue-not-routable'];

export interface CheckResult {
  readonly ok: boolean;
  /** What was found, in operator words. */
  readonly detail: string;
}

export interface OutcomeCheck {
  readonly id: string;
  readonly story: StoryId | 'alerts';
  /** What should happen. */
  readonly expect: string;
  readonly run: (recording: Recording) => CheckResult;
}

export interface CheckOutcome {
  readonly id: string;
  readonly story: StoryId | 'alerts';
  readonly expect: string;
  readonly status: 'passed' | 'failed';
  readonly detail: string;
}

const opened = (r: Recording, agents: Set<string>, rules: readonly string[]) =>
  entriesOf(r, 'finding.opened').filter((e) => agents.has(e.agentId) && rules.includes(e.ruleId ?? ''));

const missing = (r: Recording, ids: readonly string[]) =>
  ids.length === 0 ? '' : `; missing: ${ids.map((id) => nameOf(r, id)).join(', ')}`;

/** A received alert of `type` for the entry's agent and rule. */
function alerted(r: Recording, entry: RecordedEntry, type: string): boolean {
  return r.alerts.some((a) => a.type === type && a.agentId === entry.agentId && a.ruleId === entry.ruleId);
}

export const OUTCOME_CHECKS: readonly OutcomeCheck[] = [
  {
    id: 'tuesday.dead-softphones',
    story: 'tuesday',
    expect: 'every agent whose softphone silently died has a finding',
    run(r) {
      const dead = r.agents.filter((a) => a.story === 'tuesday' && a.stationDead).map((a) => a.id);
      const found = new Set(opened(r, new Set(dead), DEAD_SOFTPHONE_RULES).map((e) => e.agentId));
      const notFound = dead.filter((id) => !found.has(id));
      return {
        ok: dead.length > 0 && notFound.length === 0,
        detail: `${found.size} of ${dead.length} dead softphones found${missing(r, notFound)}`,
      };
    },
  },
  {
    id: 'tuesday.not-sticking',
    story: 'tuesday',
    expect: 'ready pushes that did not stick are found',
    run(r) {
      const declared = new Set(r.declared.map((d) => d.agentId));
      // A plain declaration is watched by state-not-sticking; a desired-state declaration reports its reverts.
      const found = new Set([
        ...opened(r, declared, ['state-not-sticking']).map((e) => e.agentId),
        ...entriesOf(r, 'declaration.reverted')
          .filter((e) => declared.has(e.agentId))
          .map((e) => e.agentId),
      ]);
      return {
        ok: declared.size > 0 && found.size > 0,
        detail: `${found.size} of ${declared.size} declared agents' pushes did not stick`,
      };
    },
  },
  {
    id: 'tuesday.resolved',
    story: 'tuesday',
    expect: 'findings resolve when the condition clears',
    run(r) {
      // Any story's: once lockstep keeps the Tuesday push in place, its own findings may never need resolving.
      const n = entriesOf(r, 'finding.resolved').length;
      return { ok: n > 0, detail: `${n} findings resolved` };
    },
  },
  {
    id: 'friday.lost-stations',
    story: 'friday',
    expect: 'every early-shift agent On Queue without a station has a finding',
    run(r) {
      const lost = r.agents.filter((a) => a.story === 'friday' && a.stationLost).map((a) => a.id);
      const found = new Set(opened(r, new Set(lost), LOST_STATION_RULES).map((e) => e.agentId));
      const notFound = lost.filter((id) => !found.has(id));
      return {
        ok: lost.length > 0 && notFound.length === 0,
        detail: `${found.size} of ${lost.length} agents without a station found${missing(r, notFound)}`,
      };
    },
  },
  {
    id: 'alerts.signed',
    story: 'alerts',
    expect: "each story's findings reach the webhook receiver as verified, signed alerts",
    run(r) {
      const story = new Set([...storyAgents(r, 'tuesday'), ...storyAgents(r, 'friday')]);
      const openedEntries = entriesOf(r, 'finding.opened').filter((e) => story.has(e.agentId));
      const unsent = openedEntries.filter((e) => !alerted(r, e, 'finding.opened'));
      const resolved = r.alerts.filter((a) => a.type === 'finding.resolved').length;
      return {
        ok: openedEntries.length > 0 && unsent.length === 0 && resolved > 0,
        detail:
          `${openedEntries.length - unsent.length} of ${openedEntries.length} opened findings alerted, ` +
          `${resolved} resolutions alerted${missing(r, [...new Set(unsent.map((e) => e.agentId))])}`,
      };
    },
  },
  {
    id: 'tuesday.declarations',
    story: 'tuesday',
    expect: 'every declared seat has a declaration outcome',
    run(r) {
      const withOutcome = new Set(entriesOf(r, 'declaration.').map((e) => e.agentId));
      const declared = [...new Set(r.declared.map((d) => d.agentId))];
      const without = declared.filter((id) => !withOutcome.has(id));
      return {
        ok: declared.length > 0 && without.length === 0,
        detail: `${declared.length - without.length} of ${declared.length} declarations have an outcome`,
      };
    },
  },
  {
    id: 'stories.corrections',
    story: 'tuesday',
    expect: 'corrections are carried out, deferred or refused, each with its reason',
    run(r) {
      const agents = new Set([...storyAgents(r, 'tuesday'), ...storyAgents(r, 'friday')]);
      const outcomes = entriesOf(r, 'correction.').filter(
        (e) => agents.has(e.agentId) && e.type !== 'correction.intended',
      );
      return { ok: outcomes.length > 0, detail: `${outcomes.length} correction outcomes recorded` };
    },
  },
  {
    id: 'friday.incident',
    story: 'friday',
    expect: 'the agents without a station are grouped into one incident',
    run(r) {
      const lost = new Set(r.agents.filter((a) => a.story === 'friday' && a.stationLost).map((a) => a.id));
      const best = Math.max(
        0,
        ...entriesOf(r, 'incident.').map((e) => e.agentIds.filter((id) => lost.has(id)).length),
      );
      return {
        ok: lost.size > 1 && best === lost.size,
        detail: `largest incident covers ${best} of ${lost.size} agents without a station`,
      };
    },
  },
];

/** Runs every check. Pure. */
export function runChecks(
  recording: Recording,
  checks: readonly OutcomeCheck[] = OUTCOME_CHECKS,
): CheckOutcome[] {
  return checks.map((check) => {
    const base = { id: check.id, story: check.story, expect: check.expect };
    const result = check.run(recording);
    return { ...base, status: result.ok ? 'passed' : 'failed', detail: result.detail };
  });
}

/** Whether every check passed. */
export function allPassed(outcomes: readonly CheckOutcome[]): boolean {
  return outcomes.every((o) => o.status === 'passed');
}
