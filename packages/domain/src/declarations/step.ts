import type { AgentContext } from '../context.js';
import { flapGuard, recordCorrection } from '../corrections/flap-guard.js';
import type { CorrectionIntent } from '../corrections/types.js';
import type { Effect } from '../effects.js';
import { type EvaluationDeps, ruleInput } from '../evaluate.js';
import type { RuleInput } from '../rules/types.js';
import { declarationReport } from './report.js';
import { obstacleTo } from './safety.js';
import { isDeliberateChange } from './deliberate.js';
import {
  type DeclarationEffectType,
  type DeclarationOutcome,
  type DeclarationStatus,
  type DesiredState,
  isFinal,
} from './types.js';

/** The rule a declaration's corrections are filed under (a declared state that must stick). */
export const DECLARATION_RULE_ID = 'state-not-sticking' as const;

const EFFECT_OF: Readonly<Partial<Record<DeclarationStatus, DeclarationEffectType>>> = {
  applied: 'declaration.applied',
  deferred: 'declaration.deferred',
  refused: 'declaration.refused',
  'reverted-by': 'declaration.reverted',
  expired: 'declaration.expired',
  superseded: 'declaration.superseded',
};

/** The outcome `status` (with `why`/`by`) holding since `since`; the previous object when nothing changed. */
function outcome(
  previous: DeclarationOutcome,
  status: DeclarationStatus,
  since: number,
  why: string | null = null,
  by: string | null = null,
): DeclarationOutcome {
  if (previous.status === status && previous.why === why && previous.by === by) return previous;
  return { status, since, why, by };
}

interface Decision {
  readonly desired: DesiredState;
  readonly corrections: readonly number[];
  readonly intent: CorrectionIntent | null;
  /** A revert by another system was noticed in this step (reported as `declaration.reverted`). */
  readonly reverted: boolean;
}

function shows(d: DesiredState, input: RuleInput): boolean {
  const presence = input.signals.presence?.value;
  if (presence === undefined || presence.system !== d.presence) return false;
  return d.definitionId === null || presence.definitionId === d.definitionId;
}

/** Plans the application of a declaration that is due, safe or not. */
function plan(
  d: DesiredState,
  input: RuleInput,
  corrections: readonly number[],
  reverted: boolean,
): Decision {
  const { now, policy } = input;
  const settings = policy.corrections;
  const held = input.signals.presence?.value.system ?? null;
  const heldBefore = held !== null && held !== d.presence ? held : d.heldBefore;
  const obstacle = obstacleTo(d, input);
  if (obstacle !== null) {
    const next = outcome(d.outcome, obstacle.status, obstacle.since, obstacle.why);
    return {
      desired: { ...d, outcome: next, heldBefore, lastIntentAt: null, wakeAt: null },
      corrections,
      intent: null,
      reverted,
    };
  }
  // An intent is out and not confirmed yet: wait for it, then try again.
  if (d.lastIntentAt !== null && now < d.lastIntentAt + settings.retryAfterMs) {
    return {
      desired: { ...d, heldBefore, wakeAt: d.lastIntentAt + settings.retryAfterMs },
      corrections,
      intent: null,
      reverted,
    };
  }
  const guard = flapGuard(corrections, now, settings);
  if (!guard.allowed) {
    const fighter = d.revertedBy === null ? '' : `; last reverted by ${d.revertedBy}`;
    const why = `flap guard: ${settings.maxPerWindow} corrections of this agent within the window${fighter}`;
    return {
      desired: { ...d, heldBefore, outcome: outcome(d.outcome, 'deferred', now, why), wakeAt: guard.retryAt },
      corrections,
      intent: null,
      reverted,
    };
  }
  const attempt = d.attempts + 1;
  const intent: CorrectionIntent = {
    kind: 'set-presence',
    target: { presence: d.presence, definitionId: d.definitionId },
    id: `${d.id}:c${attempt}`,
    agentId: input.agentId,
    ruleId: DECLARATION_RULE_ID,
    findingId: d.id,
    attempt,
    reason: `declared ${d.presence} by ${d.source}${d.reason === '' ? '' : `: ${d.reason}`}`,
    notBefore: guard.notBefore,
    priority: 'declared',
    declarationId: d.id,
  };
  const why = reverted
    ? `re-applying after a revert (attempt ${attempt})`
    : `correction intended (attempt ${attempt})`;
  return {
    desired: {
      ...d,
      heldBefore,
      attempts: attempt,
      lastIntentAt: guard.notBefore,
      wakeAt: guard.notBefore + settings.retryAfterMs,
      outcome: outcome(d.outcome, 'pending', now, why),
    },
    corrections: recordCorrection(corrections, guard.notBefore, now, settings),
    intent,
    reverted,
  };
}

/** What a declaration in force should become now. Pure. */
function decide(d: DesiredState, input: RuleInput, corrections: readonly number[]): Decision {
  const { now } = input;
  const same = { corrections, intent: null, reverted: false };
  if (now >= d.validUntil) {
    return { ...same, desired: { ...d, outcome: outcome(d.outcome, 'expired', now), wakeAt: null } };
  }
  if (now < d.validFrom) {
    const why = 'waiting for validFrom';
    return { ...same, desired: { ...d, outcome: outcome(d.outcome, 'pending', now, why), wakeAt: null } };
  }
  const presence = input.signals.presence;
  if (presence !== undefined && shows(d, input)) {
    // Holding On Queue on a station that cannot ring is no success: refused, and the station rule alerts.
    const obstacle = obstacleTo(d, input);
    if (obstacle?.status === 'refused') {
      const next = outcome(d.outcome, 'refused', obstacle.since, obstacle.why);
      return { ...same, desired: { ...d, outcome: next, lastIntentAt: null, wakeAt: null } };
    }
    const confirmedAt = d.confirmedAt ?? presence.at;
    const next = outcome(d.outcome, 'applied', Math.max(presence.at, d.validFrom));
    return { ...same, desired: { ...d, outcome: next, confirmedAt, lastIntentAt: null, wakeAt: null } };
  }
  if (d.confirmedAt !== null && presence !== undefined && presence.at > d.confirmedAt) {
    // lockstep's own change (a rule's correction) is no revert: the declaration is planned again like any other.
    if (presence.source === 'correction') {
      return plan({ ...d, confirmedAt: null, lastIntentAt: null }, input, corrections, false);
    }
    const who = presence.value.source ?? `unknown source (${presence.source})`;
    if (isDeliberateChange(d, presence, input.policy)) {
      const next = outcome(d.outcome, 'reverted-by', now, `changed to ${presence.value.system}`, who);
      return { ...same, desired: { ...d, outcome: next, confirmedAt: null, wakeAt: null } };
    }
    const reapply = { ...d, confirmedAt: null, lastIntentAt: null, reverts: d.reverts + 1, revertedBy: who };
    return plan(reapply, input, corrections, true);
  }
  return plan(d, input, corrections, false);
}

/**
 * Steps the agent's declared desired state after an event was folded into the context: reports a superseded
 * declaration, applies the current one when it is due and safe (a `correction.intended` effect, priority
 * `declared`), confirms it, re-applies it after a revert by another system, and keeps its outcome. Outcome
 * changes come out as `declaration.*` effects. Pure; returns `context` itself when nothing changed.
 */
export function stepDeclaration(
  before: AgentContext,
  context: AgentContext,
  deps: EvaluationDeps,
): { context: AgentContext; effects: Effect[] } {
  const effects: Effect[] = [];
  const previous = before.desired;
  let d = context.desired;
  if (previous !== null && d !== previous && d !== null && !isFinal(previous.outcome.status)) {
    const old: DesiredState = {
      ...previous,
      outcome: outcome(previous.outcome, 'superseded', context.clock, `superseded by ${d.source}`, d.id),
    };
    effects.push({ type: 'declaration.superseded', declaration: declarationReport(context.agentId, old) });
  }
  if (d === null || isFinal(d.outcome.status)) {
    return { context, effects };
  }
  const decision = decide(d, ruleInput(context, deps), context.corrections);
  const next = decision.desired;
  const changedOutcome = next.outcome !== d.outcome;
  if (decision.reverted) {
    effects.push({ type: 'declaration.reverted', declaration: declarationReport(context.agentId, next) });
  } else if (changedOutcome) {
    const type = EFFECT_OF[next.outcome.status];
    if (type !== undefined) effects.push({ type, declaration: declarationReport(context.agentId, next) });
  }
  if (decision.intent !== null) effects.push({ type: 'correction.intended', intent: decision.intent });
  if (sameState(next, d) && decision.corrections === context.corrections) return { context, effects };
  d = next;
  return { context: { ...context, desired: d, corrections: decision.corrections }, effects };
}

function sameState(a: DesiredState, b: DesiredState): boolean {
  return (
    a.outcome === b.outcome &&
    a.attempts === b.attempts &&
    a.lastIntentAt === b.lastIntentAt &&
    a.confirmedAt === b.confirmedAt &&
    a.heldBefore === b.heldBefore &&
    a.reverts === b.reverts &&
    a.revertedBy === b.revertedBy &&
    a.wakeAt === b.wakeAt
  );
}
