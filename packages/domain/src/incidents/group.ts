import type { RuleId } from '../policy.js';
import type { AgentAttributes } from './attributes.js';
import {
  type CommonCauseOptions,
  commonCause,
  countTraits,
  type TraitCounts,
  type TraitLift,
} from './common-cause.js';

/** A finding as incident grouping sees it: which agent, which rule, when, and the agent's attributes then. */
export interface GroupedFinding {
  readonly findingId: string;
  readonly agentId: string;
  readonly ruleId: RuleId;
  readonly openedAt: number;
  /** `null` while the finding is open. */
  readonly resolvedAt: number | null;
  readonly attributes: AgentAttributes;
}

export interface IncidentMember {
  readonly agentId: string;
  readonly findingId: string;
  readonly openedAt: number;
  readonly resolvedAt: number | null;
  /** The agent's attributes when its finding opened. */
  readonly attributes: AgentAttributes;
}

/** Many agents failing one rule together, with what they have in common. Plain JSON-safe data. */
export interface Incident {
  /** Deterministic: `incident:<ruleId>:<openedAt of its first finding>`. */
  readonly id: string;
  readonly ruleId: RuleId;
  readonly status: 'open' | 'resolved';
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly resolvedAt: number | null;
  /** Every agent that joined, in the order they failed; recovered agents keep their `resolvedAt`. */
  readonly members: readonly IncidentMember[];
  /** Traits that explain the group, best first. */
  readonly commonCause: readonly TraitLift[];
  /** "9 agents: on-queue-without-station. 9/9 had a schedule change in the last 24 h (baseline 12 %); ..." */
  readonly summary: string;
}

export type IncidentChange =
  | { readonly type: 'incident.opened'; readonly incident: Incident }
  | {
      readonly type: 'incident.updated';
      readonly incident: Incident;
      readonly joined: readonly string[];
      readonly recovered: readonly string[];
    }
  | { readonly type: 'incident.resolved'; readonly incident: Incident };

export interface IncidentSettings {
  /** Open an incident when at least this many agents open findings of one rule within `windowMs`. */
  readonly minAgents: number;
  readonly windowMs: number;
  readonly commonCause?: CommonCauseOptions;
}

export interface GroupInput {
  /** Incidents as last stored (open ones matter; resolved ones are passed through unchanged). */
  readonly incidents: readonly Incident[];
  /** The open findings, and findings resolved since the last grouping (so that members can recover). */
  readonly findings: readonly GroupedFinding[];
  /** Attributes of every watched agent now: the baseline of the common cause. */
  readonly baseline: readonly AgentAttributes[];
  readonly now: number;
  readonly settings: IncidentSettings;
}

export interface GroupResult {
  /** Every incident that is open, or changed in this call. */
  readonly incidents: readonly Incident[];
  readonly changes: readonly IncidentChange[];
}

function summarize(ruleId: RuleId, members: readonly IncidentMember[], cause: readonly TraitLift[]): string {
  const open = members.filter((m) => m.resolvedAt === null).length;
  const head = `${members.length} agents failed ${ruleId} together (${open} still failing)`;
  return cause.length === 0
    ? `${head}; no attribute sets them apart`
    : `${head}. ${cause.map((c) => c.text).join('; ')}`;
}

function build(
  base: Omit<Incident, 'commonCause' | 'summary'>,
  input: GroupInput,
  baselineCounts: () => TraitCounts,
): Incident {
  const affected = base.members.map((m) => m.attributes);
  const cause = commonCause(affected, input.baseline, input.settings.commonCause, baselineCounts());
  return { ...base, commonCause: cause, summary: summarize(base.ruleId, base.members, cause) };
}

function memberOf(f: GroupedFinding): IncidentMember {
  return {
    agentId: f.agentId,
    findingId: f.findingId,
    openedAt: f.openedAt,
    resolvedAt: null,
    attributes: f.attributes,
  };
}

/**
 * Groups findings into incidents, one open incident per rule at most. Pure and deterministic.
 * - No open incident for a rule: when at least `minAgents` distinct agents opened findings of it within the last
 *   `windowMs`, an incident opens with them.
 * - An open incident takes in every later finding of its rule (agents join) and records members whose finding
 *   resolved (agents recover); it resolves when every member has recovered.
 * The common cause is computed over every member against the baseline of every watched agent.
 */
export function groupIncidents(input: GroupInput): GroupResult {
  const { now, settings } = input;
  const byRule = new Map<RuleId, GroupedFinding[]>();
  for (const finding of [...input.findings].sort(
    (a, b) => a.openedAt - b.openedAt || a.findingId.localeCompare(b.findingId),
  )) {
    const list = byRule.get(finding.ruleId);
    if (list) list.push(finding);
    else byRule.set(finding.ruleId, [finding]);
  }

  const out: Incident[] = [];
  const changes: IncidentChange[] = [];
  const openRules = new Set<RuleId>();
  // The baseline is counted once per call, and only when an incident is built.
  let counted: TraitCounts | undefined;
  const baselineCounts = () => (counted ??= countTraits(input.baseline));

  for (const incident of input.incidents) {
    if (incident.status !== 'open') continue;
    openRules.add(incident.ruleId);
    const findings = byRule.get(incident.ruleId) ?? [];
    const byId = new Map(findings.map((f) => [f.findingId, f]));
    const recovered: string[] = [];
    const members = incident.members.map((m) => {
      if (m.resolvedAt !== null) return m;
      const f = byId.get(m.findingId);
      // A member whose finding is gone from the input has been resolved and forgotten: recovered now.
      const resolvedAt = f === undefined ? now : f.resolvedAt;
      if (resolvedAt === null) return m;
      recovered.push(m.agentId);
      return { ...m, resolvedAt };
    });
    const known = new Set(members.map((m) => m.findingId));
    const memberAgents = new Set(members.filter((m) => m.resolvedAt === null).map((m) => m.agentId));
    const joined: string[] = [];
    for (const f of findings) {
      if (f.resolvedAt !== null || known.has(f.findingId) || memberAgents.has(f.agentId)) continue;
      if (f.openedAt < incident.openedAt) continue;
      members.push(memberOf(f));
      memberAgents.add(f.agentId);
      joined.push(f.agentId);
    }
    if (joined.length === 0 && recovered.length === 0) {
      out.push(incident);
      continue;
    }
    const allRecovered = members.every((m) => m.resolvedAt !== null);
    const kept = build(
      {
        id: incident.id,
        ruleId: incident.ruleId,
        status: allRecovered ? 'resolved' : 'open',
        openedAt: incident.openedAt,
        updatedAt: now,
        resolvedAt: allRecovered ? now : null,
        members,
      },
      input,
      baselineCounts,
    );
    out.push(kept);
    changes.push(
      allRecovered
        ? { type: 'incident.resolved', incident: kept }
        : { type: 'incident.updated', incident: kept, joined, recovered },
    );
  }

  for (const [ruleId, findings] of byRule) {
    if (openRules.has(ruleId)) continue;
    const recent = findings.filter(
      (f) => f.resolvedAt === null && f.openedAt > now - settings.windowMs && f.openedAt <= now,
    );
    const firstPerAgent = new Map<string, GroupedFinding>();
    for (const f of recent) if (!firstPerAgent.has(f.agentId)) firstPerAgent.set(f.agentId, f);
    if (firstPerAgent.size < settings.minAgents) continue;
    const group = [...firstPerAgent.values()];
    const openedAt = group[0]?.openedAt ?? now;
    const incident = build(
      {
        id: `incident:${ruleId}:${openedAt}`,
        ruleId,
        status: 'open',
        openedAt,
        updatedAt: now,
        resolvedAt: null,
        members: group.map(memberOf),
      },
      input,
      baselineCounts,
    );
    out.push(incident);
    changes.push({ type: 'incident.opened', incident });
  }
  return { incidents: out, changes };
}
