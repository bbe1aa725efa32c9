import type { AgentContext, AgentHealth } from './context.js';
import { statusOf } from './context.js';
import { planCorrection } from './corrections/plan.js';
import { declarationWake } from './declarations/wake.js';
import type { Effect } from './effects.js';
import { findingId, type OpenFinding, sameEvidence, toFinding } from './findings.js';
import type { Policy, RuleId } from './policy.js';
import { RULES } from './rules/catalogue.js';
import { countedEpisodes, effectiveStationHealth, isBusy } from './rules/facts.js';
import type { RuleInput } from './rules/types.js';
import { withWfmFacts } from './rules/wfm-facts.js';
import type { ScheduleSource } from './schedule.js';
import { nextTimeOffBoundary } from './time-off.js';

/** What evaluation needs besides the context. Both parts must be pure. */
export interface EvaluationDeps {
  readonly policy: Policy;
  readonly schedule: ScheduleSource;
}

/** Builds the read-only input every rule sees at the context's clock. */
export function ruleInput(context: AgentContext, deps: EvaluationDeps): RuleInput {
  const { signals, clock: now } = context;
  const repeated = deps.policy.rules['repeated-not-responding'];
  const counted = countedEpisodes(context.episodes, signals, now, repeated.windowMs);
  return {
    agentId: context.agentId,
    now,
    signals,
    wfm: context.wfm,
    schedule: deps.schedule.scheduledActivityAt(signals, now),
    episodes: context.episodes,
    declared: context.declared,
    station: effectiveStationHealth(signals, counted, repeated.episodes),
    busy: isBusy(signals),
    policy: deps.policy,
  };
}

/**
 * Evaluates the whole rule catalogue at the context's clock. Pure and deterministic: the result depends only
 * on the context and the deps. Opens findings whose condition has held for at least the grace, updates those
 * whose facts changed, resolves those whose condition cleared, plans corrections, and computes the next
 * deadline (earliest pending fire time, window/declaration expiry, or correction retry).
 */
export function evaluate(
  context: AgentContext,
  deps: EvaluationDeps,
): { context: AgentContext; effects: Effect[] } {
  const { policy } = deps;
  const input = ruleInput(context, deps);
  const { agentId, clock: now } = context;
  const effects: Effect[] = [];
  const findings: { [R in RuleId]?: OpenFinding } = {};
  let corrections = context.corrections;
  let deadline = Number.POSITIVE_INFINITY;
  let pending = false;
  let openCount = 0;
  let unchangedFindings = true;
  let previousCount = 0;
  for (const key in context.findings) if (context.findings[key as RuleId] !== undefined) previousCount++;

  const repeated = policy.rules['repeated-not-responding'];
  const counted = countedEpisodes(context.episodes, context.signals, now, repeated.windowMs);
  const nth = counted[repeated.episodes - 1];
  // The inferred station death (seen by on-queue-without-station) ends when the Nth episode leaves the window.
  if (nth !== undefined && policy.rules['on-queue-without-station'].enabled && context.signals.station) {
    deadline = nth + repeated.windowMs;
  }

  // Time off starts and ends on time with no event arriving: wake at its next boundary.
  const timeOffBoundary = nextTimeOffBoundary(context.signals.timeOff?.value, now);
  if (timeOffBoundary !== null) deadline = Math.min(deadline, timeOffBoundary);
  // Likewise at the schedule's next boundary (a shift starting, a break ending).
  const scheduleBoundary = deps.schedule.nextBoundary?.(context.signals, now) ?? null;
  if (scheduleBoundary !== null && context.wfm === 'enabled') deadline = Math.min(deadline, scheduleBoundary);

  // A declared desired state applies at validFrom and expires at validUntil with no event arriving.
  const declarationDue = declarationWake(context.desired, now);
  if (declarationDue !== null) deadline = Math.min(deadline, declarationDue);

  for (const rule of RULES) {
    const settings = policy.rules[rule.id];
    const previous = context.findings[rule.id];
    const usable = settings.enabled && !(rule.needsWfm && context.wfm === 'disabled');
    const raw = usable ? rule.evaluate(input) : null;
    // Schedule-based findings say what changed around the agent's schedule (the facts incidents are built on).
    const verdict = raw !== null && rule.needsWfm ? withWfmFacts(raw, input) : raw;

    if (verdict === null) {
      if (previous !== undefined) {
        const resolved = {
          ...toFinding(agentId, rule.id, settings.action, previous),
          updatedAt: now,
          resolvedAt: now,
        };
        effects.push({ type: 'finding.resolved', finding: resolved });
      }
      continue;
    }
    if (verdict.until !== undefined) deadline = Math.min(deadline, verdict.until);

    let open: OpenFinding;
    if (previous === undefined) {
      const fireAt = verdict.since + settings.graceMs;
      if (now < fireAt) {
        pending = true;
        deadline = Math.min(deadline, fireAt);
        continue;
      }
      open = {
        id: findingId(agentId, rule.id, now),
        severity: settings.severity,
        since: verdict.since,
        openedAt: now,
        updatedAt: now,
        summary: verdict.summary,
        evidence: verdict.evidence,
        correction: 'none',
        attempts: 0,
        lastCorrectionAt: null,
      };
    } else if (
      previous.since !== verdict.since ||
      previous.summary !== verdict.summary ||
      !sameEvidence(previous.evidence, verdict.evidence)
    ) {
      open = { ...previous, since: verdict.since, summary: verdict.summary, evidence: verdict.evidence };
    } else {
      open = previous;
    }

    let intent = null;
    if (settings.action === 'correct') {
      const plan = planCorrection({
        agentId,
        ruleId: rule.id,
        ruleSeverity: settings.severity,
        open,
        target: rule.plan(input),
        busy: input.busy,
        now,
        corrections,
        settings: policy.corrections,
      });
      open = plan.open;
      corrections = plan.corrections;
      intent = plan.intent;
      if (plan.wakeAt !== null) deadline = Math.min(deadline, plan.wakeAt);
    } else if (open.severity !== settings.severity) {
      open = { ...open, severity: settings.severity };
    }

    if (previous === undefined) {
      effects.push({ type: 'finding.opened', finding: toFinding(agentId, rule.id, settings.action, open) });
    } else if (open !== previous) {
      open = { ...open, updatedAt: now };
      effects.push({ type: 'finding.updated', finding: toFinding(agentId, rule.id, settings.action, open) });
    }
    if (intent !== null) effects.push({ type: 'correction.intended', intent });
    findings[rule.id] = open;
    openCount++;
    if (open !== previous) unchangedFindings = false;
  }

  const health: AgentHealth = openCount > 0 ? 'desynced' : pending ? 'suspect' : 'inSync';
  const nextDeadline = deadline === Number.POSITIVE_INFINITY ? null : deadline;
  const status = statusOf(context.signals);
  if (
    effects.length === 0 &&
    unchangedFindings &&
    openCount === previousCount &&
    corrections === context.corrections &&
    nextDeadline === context.deadline &&
    status === context.status &&
    health === context.health
  ) {
    // Re-evaluating changed nothing: the same object, so "unchanged" is an identity check downstream.
    return { context, effects };
  }
  return {
    context: {
      agentId: context.agentId,
      clock: context.clock,
      wfm: context.wfm,
      signals: context.signals,
      episodes: context.episodes,
      declared: context.declared,
      desired: context.desired,
      findings,
      corrections,
      deadline: nextDeadline,
      status,
      health,
    },
    effects,
  };
}
