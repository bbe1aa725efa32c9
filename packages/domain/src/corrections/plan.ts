import type { OpenFinding } from '../findings.js';
import type { Policy, RuleId, Severity } from '../policy.js';
import { flapGuard, recordCorrection } from './flap-guard.js';
import type { CorrectionIntent, CorrectionTarget } from './types.js';

export interface PlanInput {
  readonly agentId: string;
  readonly ruleId: RuleId;
  readonly ruleSeverity: Severity;
  readonly open: OpenFinding;
  /** What the rule would do now (`null`: nothing safe). */
  readonly target: CorrectionTarget | null;
  readonly busy: boolean;
  readonly now: number;
  readonly corrections: readonly number[];
  readonly settings: Policy['corrections'];
}

export interface PlanResult {
  readonly open: OpenFinding;
  readonly corrections: readonly number[];
  readonly intent: CorrectionIntent | null;
  /** When planning should be looked at again without any new event (a retry or the guard reopening). */
  readonly wakeAt: number | null;
}

/**
 * Plans the correction of one open finding whose rule action is `correct`. Pure. Never plans while the agent is
 * busy with an interaction (status `deferred`: re-planned on the event that ends it). Retries a still-open
 * finding after `retryAfterMs`. When the flap guard refuses, the finding turns `suppressed` and is escalated to
 * `critical` until corrections are allowed again.
 */
export function planCorrection(input: PlanInput): PlanResult {
  const { open, now, settings } = input;
  const same = { open, corrections: input.corrections, intent: null };
  const withStatus = (correction: OpenFinding['correction'], severity: Severity): OpenFinding =>
    open.correction === correction && open.severity === severity ? open : { ...open, correction, severity };

  if (input.target === null)
    return { ...same, open: withStatus('unavailable', input.ruleSeverity), wakeAt: null };
  if (input.busy) return { ...same, open: withStatus('deferred', input.ruleSeverity), wakeAt: null };
  if (open.lastCorrectionAt !== null && now < open.lastCorrectionAt + settings.retryAfterMs) {
    return { ...same, wakeAt: open.lastCorrectionAt + settings.retryAfterMs };
  }
  const decision = flapGuard(input.corrections, now, settings);
  if (!decision.allowed)
    return { ...same, open: withStatus('suppressed', 'critical'), wakeAt: decision.retryAt };

  const attempt = open.attempts + 1;
  const intent: CorrectionIntent = {
    ...input.target,
    id: `${open.id}:c${attempt}`,
    agentId: input.agentId,
    ruleId: input.ruleId,
    findingId: open.id,
    attempt,
    reason: open.summary,
    notBefore: decision.notBefore,
  };
  return {
    open: {
      ...open,
      correction: 'intended',
      severity: input.ruleSeverity,
      attempts: attempt,
      lastCorrectionAt: decision.notBefore,
    },
    corrections: recordCorrection(input.corrections, decision.notBefore, now, settings),
    intent,
    wakeAt: decision.notBefore + settings.retryAfterMs,
  };
}
