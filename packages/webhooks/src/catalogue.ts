/**
 * The alert type catalogue: every type a subscriber can receive, in one list. `docs/webhooks.md` documents
 * the same list; `catalogue.test.ts` keeps the two in step.
 */
export const ALERT_TYPES = [
  'finding.opened',
  'finding.escalated',
  'finding.resolved',
  'correction.applied',
  'correction.deferred',
  'correction.refused',
  'correction.expired',
  'correction.failed',
  'incident.opened',
  'incident.updated',
  'incident.resolved',
  'declaration.applied',
  'declaration.deferred',
  'declaration.refused',
  'declaration.reverted',
  'declaration.expired',
  'declaration.superseded',
  'subscription.disabled',
  'alerts.suppressed',
  'webhook.test',
] as const;

export type AlertType = (typeof ALERT_TYPES)[number];

/** One line per type, for documentation and the admin API. */
export const ALERT_TYPE_DESCRIPTIONS: Readonly<Record<AlertType, string>> = Object.freeze({
  'finding.opened': 'A rule found a desync for an agent and its grace period ran out.',
  'finding.escalated':
    "An open finding's severity rose to critical (corrections suppressed by the flap guard).",
  'finding.resolved': 'The condition of an open finding stopped holding.',
  'correction.applied': 'A correction was sent and a read confirmed the new state.',
  'correction.deferred':
    'A correction waits: the agent has an interaction (it is re-checked once the interaction ends).',
  'correction.refused':
    'A correction can never be safe as asked (e.g. On Queue without a station, or with a dead station).',
  'correction.expired': 'A deferred correction gave up waiting for the agent to be free.',
  'correction.failed':
    'A correction was not confirmed after its last send (names who set the state since, when known).',
  'incident.opened':
    'At least K agents opened findings of one rule within the window: one alert for the group, with what they share.',
  'incident.updated': 'Agents joined an open incident or recovered from it.',
  'incident.resolved': 'Every agent of an incident recovered.',
  'declaration.applied': "An agent's declared desired state shows on the platform (confirmed).",
  'declaration.deferred':
    'A declared desired state waits until it is safe: an interaction, approved time off, a scheduled off-queue activity, the flap guard.',
  'declaration.refused':
    'lockstep will not apply a declared desired state: no station associated, or a dead station.',
  'declaration.reverted':
    'A declared desired state was changed: on purpose by the agent or a supervisor (not re-applied), or by another system (re-applied).',
  'declaration.expired': "A declared desired state's validUntil passed.",
  'declaration.superseded': 'A newer declaration replaced a declared desired state before it ended.',
  'subscription.disabled':
    'A subscription was disabled (410 Gone, or every attempt failed for the disable period); sent to the others.',
  'alerts.suppressed':
    "A subscription's per-minute cap was hit: a summary of the alerts held back that minute.",
  'webhook.test': 'Sent on request to check that a receiver is reachable and verifies signatures.',
});

/** Severities, lowest first (the same scale as the rule policy). */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Rank of a severity for `minSeverity` filters; unknown severities rank lowest. */
export function severityRank(severity: string): number {
  return Math.max(0, (ALERT_SEVERITIES as readonly string[]).indexOf(severity));
}

export function isAlertType(value: unknown): value is AlertType {
  return typeof value === 'string' && (ALERT_TYPES as readonly string[]).includes(value);
}
