/**
 * The closing report: what happened in each story and why, in operator language, computed only from a
 * `Recording` (lockstep's outbox, Redis reads, the receiver's alerts, the simulator's ground truth). Pure.
 */
import type { CheckOutcome } from './outcomes.js';
import { entriesOf, nameOf, type Recording, type RecordedEntry, type StoryId } from './recording.js';

/** Where the stories happen, for the headings (from the scenario the simulator plays). */
export interface StorySetting {
  readonly tuesday: string;
  readonly friday: string;
  readonly background: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function names(recording: Recording, ids: Iterable<string>, max = 6): string {
  const all = [...new Set(ids)].map((id) => nameOf(recording, id)).sort();
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')} and ${all.length - max} more`;
}

/** "N agents: summary (names)" per rule, most agents first. */
function findingsByRule(recording: Recording, agents: Set<string>): string[] {
  const byRule = new Map<string, RecordedEntry[]>();
  for (const e of entriesOf(recording, 'finding.opened')) {
    if (!agents.has(e.agentId)) continue;
    const list = byRule.get(e.ruleId ?? '?') ?? [];
    list.push(e);
    byRule.set(e.ruleId ?? '?', list);
  }
  return [...byRule]
    .map(([rule, list]) => ({ rule, list, agents: new Set(list.map((e) => e.agentId)) }))
    .sort((a, b) => b.agents.size - a.agents.size || a.rule.localeCompare(b.rule))
    .map(
      ({ rule, list, agents: who }) =>
        `${plural(who.size, 'agent')} ${rule}: ${list[0]?.summary ?? ''} (${names(recording, who)})`,
    );
}

/** "24 applied, 4 deferred, 2 refused: <reason>" over entries whose type starts with `prefix.`. */
function outcomeCounts(entries: readonly RecordedEntry[], prefix: string): string {
  const byOutcome = new Map<string, RecordedEntry[]>();
  for (const e of entries) {
    const outcome = e.type.slice(prefix.length + 1);
    byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), e]);
  }
  return [...byOutcome]
    .map(([outcome, list]) => {
      const reasons = [...new Set(list.map((e) => e.reason).filter((r): r is string => r !== null))];
      const agents = new Set(list.map((e) => e.agentId)).size;
      return `${agents} ${outcome}${reasons.length > 0 ? `: ${reasons.slice(0, 2).join('; ')}` : ''}`;
    })
    .join(', ');
}

function tuesday(r: Recording, agents: Set<string>, heading: string): string[] {
  const lines: string[] = [];
  const declared = new Set(r.declared.map((d) => d.agentId));
  lines.push(
    `${heading}: the external WFM platform set ${plural(declared.size, 'seat')} On Queue while agents were on ` +
      `calls; lockstep held ${plural(r.engine.declarationsApplied, 'declaration')} of that desired state.`,
  );
  const declarations = entriesOf(r, 'declaration.').filter((e) => agents.has(e.agentId));
  if (declarations.length > 0) {
    lines.push(`Declared On Queue: ${outcomeCounts(declarations, 'declaration')}.`);
  }
  const dead = r.agents.filter((a) => a.story === 'tuesday' && a.stationDead);
  if (dead.length > 0) {
    lines.push(
      `${plural(dead.length, 'softphone')} had silently died (${names(
        r,
        dead.map((a) => a.id),
      )}): ` + `each call rang into the alerting timeout and the agent went NOT_RESPONDING.`,
    );
  }
  return lines;
}

function friday(r: Recording, agents: Set<string>, heading: string): string[] {
  const lost = r.agents.filter((a) => a.story === 'friday' && a.stationLost);
  const zone = lost.find((a) => a.timeZone !== null)?.timeZone;
  const lines = [
    `${heading}: ${plural(lost.length, 'early-shift agent')}${zone ? ` in ${zone}` : ''} selected On Queue at ` +
      `shift start but could not bring up their softphone (${names(
        r,
        lost.map((a) => a.id),
      )}).`,
  ];
  const why: string[] = [];
  const pending = lost.filter((a) => (a.pendingTimeOff ?? 0) > 0).length;
  const quantity = (n: number) => (n === lost.length ? `all ${n}` : `${n} of ${lost.length}`);
  if (lost.length > 0 && lost.some((a) => a.scheduleChange !== null)) {
    const changed = lost.filter((a) => a.scheduleChange !== null);
    const kinds = [...new Set(changed.map((a) => a.scheduleChange))].join('/');
    why.push(`${quantity(changed.length)} had a schedule ${kinds} in the last 24 h`);
  }
  if (lost.length > 0 && pending > 0) why.push(`${quantity(pending)} have pending time off`);
  const others = r.agents.filter(
    (a) => a.story === 'friday' && !a.stationLost && a.presence === 'On Queue' && (a.pendingTimeOff ?? 0) > 0,
  );
  if (why.length > 0) {
    lines.push(
      `What they share: ${why.join(' and ')}` +
        (others.length > 0
          ? `; ${plural(others.length, 'other agent')} On Queue with pending time off kept their station, ` +
            'so time off alone does not explain it.'
          : '.'),
    );
  }
  for (const e of entriesOf(r, 'incident.opened')) {
    if (e.agentIds.some((id) => agents.has(id))) {
      lines.push(`Incident: ${e.summary ?? e.findingId ?? e.id} (${plural(e.agentIds.length, 'agent')}).`);
    }
  }
  return lines;
}

/** The report, one paragraph per story, then the checks, the alerts and what to run next. */
export function buildReport(
  recording: Recording,
  setting: StorySetting,
  checks: readonly CheckOutcome[],
  next: readonly string[],
): string {
  const out: string[] = [];
  const seconds = Math.round((recording.endedAt - recording.startedAt) / 1000);
  out.push(
    `What happened in ${seconds} s (${recording.engine.trackedAgents} agents tracked, ` +
      `${recording.engine.eventsReceived} platform events):`,
  );
  const stories: [StoryId, string][] = [
    ['tuesday', setting.tuesday],
    ['friday', setting.friday],
    ['background', setting.background],
  ];
  for (const [story, heading] of stories) {
    const agents = new Set(recording.agents.filter((a) => a.story === story).map((a) => a.id));
    const lines =
      story === 'tuesday'
        ? tuesday(recording, agents, heading)
        : story === 'friday'
          ? friday(recording, agents, heading)
          : [`${heading}:`];
    lines.push(...findingsByRule(recording, agents).map((l) => `lockstep found ${l}`));
    const resolved = entriesOf(recording, 'finding.resolved').filter((e) => agents.has(e.agentId));
    if (resolved.length > 0) {
      lines.push(`${plural(resolved.length, 'finding')} resolved when the condition cleared.`);
    }
    const corrections = entriesOf(recording, 'correction.').filter(
      (e) => agents.has(e.agentId) && e.type !== 'correction.intended',
    );
    const intents = entriesOf(recording, 'correction.intended').filter((e) => agents.has(e.agentId));
    if (corrections.length > 0) lines.push(`Corrections: ${outcomeCounts(corrections, 'correction')}.`);
    const corrected = recording.correctionCommits.filter((c) => agents.has(c.agentId));
    if (corrected.length > 0) {
      lines.push(
        `lockstep's history records correction attempts for ${plural(corrected.length, 'agent')} ` +
          `(${names(
            recording,
            corrected.map((c) => c.agentId),
          )}).`,
      );
    } else if (intents.length > 0) {
      lines.push(
        `${plural(intents.length, 'correction')} planned (${names(
          recording,
          intents.map((e) => e.agentId),
        )}).`,
      );
    }
    out.push('', ...lines.map((l, i) => (i === 0 ? `* ${l}` : `  ${l}`)));
  }
  const byType = new Map<string, number>();
  for (const a of recording.alerts) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  out.push(
    '',
    `* Alerts: the webhook receiver verified ${plural(recording.alerts.length, 'signed alert')}` +
      (byType.size > 0 ? ` (${[...byType].map(([t, n]) => `${n} ${t}`).join(', ')})` : '') +
      `; the notifier counted ${recording.notifier.delivered} delivered, ${recording.notifier.retried} retried.`,
  );
  out.push('', 'Expected outcomes:');
  for (const c of checks) {
    const mark = c.status === 'passed' ? 'ok  ' : 'FAIL';
    out.push(`  ${mark} ${c.expect}: ${c.detail}`);
  }
  if (next.length > 0) out.push('', 'Next:', ...next.map((l) => `  ${l}`));
  return out.join('\n');
}
