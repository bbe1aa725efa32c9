import type { AgentContext, AgentEvent, Policy, RuleId } from '@lockstep/domain';
import type { FindingDoc, HistoryCause } from '@lockstep/store';

/** The open findings of a context as the store keeps them (public finding shape plus the rule's action). Pure. */
export function findingDocs(context: AgentContext, policy: Policy): FindingDoc[] {
  const out: FindingDoc[] = [];
  for (const [ruleId, open] of Object.entries(context.findings)) {
    if (open === undefined) continue;
    out.push({
      id: open.id,
      agentId: context.agentId,
      ruleId,
      severity: open.severity,
      action: policy.rules[ruleId as RuleId].action,
      since: open.since,
      openedAt: open.openedAt,
      updatedAt: open.updatedAt,
      summary: open.summary,
      evidence: open.evidence,
      correction: open.correction,
    });
  }
  return out;
}

/** The short state summary recorded in history (`<status>/<health>`, e.g. `onQueue.idle/inSync`). Pure. */
export function stateSummary(context: AgentContext): string {
  return `${context.status}/${context.health}`;
}

// Several causes in one batch: the most specific one names the commit.
const CAUSE_RANK: Readonly<Record<HistoryCause, number>> = { correction: 3, event: 2, resync: 1, tick: 0 };

/** The history cause of a commit covering events of several causes. Pure. */
export function batchCause(causes: Iterable<HistoryCause>): HistoryCause {
  let best: HistoryCause = 'tick';
  for (const c of causes) if (CAUSE_RANK[c] > CAUSE_RANK[best]) best = c;
  return best;
}

/** A short description of one event for the history detail. Pure. */
export function describeEvent(event: AgentEvent): string {
  switch (event.type) {
    case 'SIGNAL':
      return event.update.signal;
    case 'RESYNC':
      return `resync(${event.updates.length})`;
    case 'DECLARE':
      return `declare(${event.by})`;
    case 'TICK':
      return 'tick';
    default:
      return event.type.toLowerCase();
  }
}

/** Joins event descriptions into a history detail of at most `max` characters. Pure. */
export function batchDetail(parts: readonly string[], max = 500): string {
  const counts = new Map<string, number>();
  for (const p of parts) counts.set(p, (counts.get(p) ?? 0) + 1);
  const text = [...counts].map(([p, n]) => (n === 1 ? p : `${p}x${n}`)).join(',');
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
