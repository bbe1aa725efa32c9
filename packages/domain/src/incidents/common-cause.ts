import { type AgentAttributes, describeTrait, type Trait, traitId, traitsOf } from './attributes.js';

/** How much more often a trait occurs among the affected agents than among every watched agent. */
export interface TraitLift {
  readonly trait: Trait;
  readonly id: string;
  /** Affected agents with the trait, and the share of the affected agents that is. */
  readonly affected: number;
  readonly affectedShare: number;
  /** Watched agents with the trait, and the share of every watched agent that is. */
  readonly baseline: number;
  readonly baselineShare: number;
  /** `affectedShare / baselineShare` (how many times more common among the affected). */
  readonly lift: number;
  /** "9/9 had a schedule change in the last 24 h (baseline 12 %)". */
  readonly text: string;
}

export interface CommonCauseOptions {
  /** A trait must be held by at least this share of the affected agents to explain the group. Default 0.5. */
  readonly minShare?: number;
  /** A trait must be at least this many times more common among the affected agents. Default 1.5. */
  readonly minLift?: number;
  /** Most traits returned. Default 5. */
  readonly limit?: number;
}

/** How many agents hold each trait, by trait id. */
export type TraitCounts = ReadonlyMap<string, { readonly trait: Trait; readonly n: number }>;

/**
 * Counts the agents holding each trait (an agent counts once per trait). Pure. Pass the baseline's counts to
 * `commonCause` to count a large baseline once for several groups.
 */
export function countTraits(agents: readonly AgentAttributes[]): TraitCounts {
  const counts = new Map<string, { trait: Trait; n: number }>();
  for (const agent of agents) {
    const seen = new Set<string>();
    for (const trait of traitsOf(agent)) {
      const id = traitId(trait);
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = counts.get(id);
      if (entry) entry.n++;
      else counts.set(id, { trait, n: 1 });
    }
  }
  return counts;
}

function percent(share: number): string {
  const p = share * 100;
  return p > 0 && p < 1 ? '<1 %' : `${Math.round(p)} %`;
}

/**
 * What a group of affected agents has in common, compared with every watched agent (the baseline, which must
 * include the affected agents): each trait held by enough of the group and markedly more common there than in
 * the baseline, ranked by lift, then by the share of the group that holds it, then by id (deterministic). Traits
 * every watched agent has (lift 1) never explain anything. `baselineCounts`, when given, must be
 * `countTraits(baseline)`. Pure.
 */
export function commonCause(
  affected: readonly AgentAttributes[],
  baseline: readonly AgentAttributes[],
  options: CommonCauseOptions = {},
  baselineCounts?: TraitCounts,
): TraitLift[] {
  const minShare = options.minShare ?? 0.5;
  const minLift = options.minLift ?? 1.5;
  const limit = options.limit ?? 5;
  if (affected.length === 0 || baseline.length === 0) return [];

  const inGroup = countTraits(affected);
  const inBaseline = baselineCounts ?? countTraits(baseline);

  const out: TraitLift[] = [];
  for (const [id, { trait, n }] of inGroup) {
    const affectedShare = n / affected.length;
    // The baseline includes the group; never let it count fewer holders than the group does.
    const base = Math.max(inBaseline.get(id)?.n ?? 0, n);
    const baselineShare = base / Math.max(baseline.length, affected.length);
    const lift = affectedShare / baselineShare;
    if (affectedShare < minShare || lift < minLift) continue;
    out.push({
      trait,
      id,
      affected: n,
      affectedShare,
      baseline: base,
      baselineShare,
      lift,
      text: `${n}/${affected.length} ${describeTrait(trait)} (baseline ${percent(baselineShare)})`,
    });
  }
  out.sort((a, b) => b.lift - a.lift || b.affectedShare - a.affectedShare || a.id.localeCompare(b.id));
  return out.slice(0, limit);
}
