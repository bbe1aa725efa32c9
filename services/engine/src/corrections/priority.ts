import type { CorrectionIntent, RuleId } from '@lockstep/domain';

/** Budget priorities, highest first. Index 0 of the budget's floors is left to resyncs (see budget.ts). */
export const PRIORITIES = ['stuck', 'declared', 'adherence'] as const;
export type PriorityName = (typeof PRIORITIES)[number];

const RULE_PRIORITY: Readonly<Record<RuleId, PriorityName>> = {
  'stuck-not-responding': 'stuck',
  'repeated-not-responding': 'stuck',
  'on-queue-not-routable': 'stuck',
  'routable-while-offline': 'stuck',
  'on-queue-without-station': 'stuck',
  'state-not-sticking': 'declared',
  'out-of-adherence-on-queue': 'adherence',
  'on-queue-during-scheduled-off': 'adherence',
  'on-queue-during-approved-time-off': 'adherence',
  'adherence-disagrees': 'adherence',
  // A station that does not come up at shift start stops calls from ringing, like a stuck one.
  'station-not-up-at-shift-start': 'stuck',
};

/** An intent as the executor may receive it: declarations may carry these optional fields. */
export type ReceivedIntent = CorrectionIntent & {
  readonly priority?: unknown;
  readonly declarationId?: unknown;
};

/**
 * The queue rank of an intent (0 first). Pure. An explicit `priority` wins: a name of `PRIORITIES` or a number
 * (clamped to the range); otherwise a declaration ranks `declared` and a rule its catalogue rank (stuck
 * NOT_RESPONDING and ghost sessions first, adherence last); an unknown rule ranks last.
 */
export function priorityOf(intent: ReceivedIntent): number {
  const p = intent.priority;
  if (typeof p === 'string' && (PRIORITIES as readonly string[]).includes(p)) {
    return PRIORITIES.indexOf(p as PriorityName);
  }
  if (typeof p === 'number' && Number.isFinite(p)) {
    return Math.min(PRIORITIES.length - 1, Math.max(0, Math.trunc(p)));
  }
  if (typeof intent.declarationId === 'string') return PRIORITIES.indexOf('declared');
  const name = (RULE_PRIORITY as Readonly<Record<string, PriorityName>>)[intent.ruleId];
  return name === undefined ? PRIORITIES.length - 1 : PRIORITIES.indexOf(name);
}
