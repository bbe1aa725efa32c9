import type { CorrectionStatus } from './corrections/types.js';
import type { RuleAction, RuleId, Severity } from './policy.js';
import type { Evidence } from './rules/types.js';

/** Why a finding resolved other than by its condition clearing. */
export type FindingResolution = 'untracked';

/** A desync found by a rule, as emitted in `finding.*` effects. Plain JSON-safe data. */
export interface Finding {
  /** Deterministic: `${agentId}:${ruleId}:${openedAt}`. */
  readonly id: string;
  readonly agentId: string;
  readonly ruleId: RuleId;
  /** The rule's severity; escalated to `critical` while corrections are suppressed by the flap guard. */
  readonly severity: Severity;
  readonly action: RuleAction;
  /** When the condition started to hold (latest timestamp among the facts involved). */
  readonly since: number;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly resolvedAt?: number;
  /** Why a resolved finding resolved when its condition did not clear: `untracked` (the agent left the selection). */
  readonly resolution?: FindingResolution;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
  readonly correction: CorrectionStatus;
}

/** An open finding as kept in the agent context (bounded: at most one per rule). */
export interface OpenFinding {
  readonly id: string;
  readonly severity: Severity;
  readonly since: number;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
  readonly correction: CorrectionStatus;
  /** Correction intents emitted for this finding so far. */
  readonly attempts: number;
  /** `notBefore` of the last intent, or `null`. */
  readonly lastCorrectionAt: number | null;
}

/** The public form of an open finding. */
export function toFinding(agentId: string, ruleId: RuleId, action: RuleAction, open: OpenFinding): Finding {
  return {
    id: open.id,
    agentId,
    ruleId,
    severity: open.severity,
    action,
    since: open.since,
    openedAt: open.openedAt,
    updatedAt: open.updatedAt,
    summary: open.summary,
    evidence: open.evidence,
    correction: open.correction,
  };
}

/** Deterministic finding id. */
export function findingId(agentId: string, ruleId: RuleId, openedAt: number): string {
  return `${agentId}:${ruleId}:${openedAt}`;
}

/** Two evidence lists state the same facts. */
export function sameEvidence(a: readonly Evidence[], b: readonly Evidence[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e, i) => {
    const o = b[i];
    return o !== undefined && o.name === e.name && o.value === e.value && o.at === e.at;
  });
}
