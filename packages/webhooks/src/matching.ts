import type { Alert, AgentProfile } from './alert.js';
import { severityRank } from './catalogue.js';
import type { Subscription } from './subscriptions.js';

/**
 * Whether an enabled subscription wants an alert. Pure. Empty filter lists match everything. Filters on
 * queue, division or management unit need the agent's profile: an alert whose agent is not known to the
 * directory does not match such a filter (it is not guessed). System alerts (no agent, no rule) ignore the agent
 * and rule filters; incident alerts (no agent, a rule) obey the rule filter only. An agent alert
 * `coveredByIncident` (an open incident of its rule lists the agent) goes only to subscriptions that did not ask
 * for `muteIncidentAgents`.
 */
export function subscriptionMatches(
  sub: Subscription,
  alert: Alert,
  profile: AgentProfile,
  coveredByIncident = false,
): boolean {
  if (!sub.enabled) return false;
  if (coveredByIncident && sub.muteIncidentAgents && alert.agentId !== null) return false;
  if (sub.eventTypes.length > 0 && !sub.eventTypes.includes(alert.type)) return false;
  if (sub.minSeverity !== null && severityRank(alert.severity) < severityRank(sub.minSeverity)) return false;
  const f = sub.filters;
  // Incidents concern a rule but no single agent: the rule filter applies, the agent filters do not.
  if (alert.agentId === null)
    return alert.ruleId === null || f.ruleIds.length === 0 || f.ruleIds.includes(alert.ruleId);
  if (f.ruleIds.length > 0 && (alert.ruleId === null || !f.ruleIds.includes(alert.ruleId))) return false;
  if (f.queueIds.length > 0 && !profile.queueIds.some((q) => f.queueIds.includes(q))) return false;
  if (
    f.divisionIds.length > 0 &&
    (profile.divisionId === null || !f.divisionIds.includes(profile.divisionId))
  ) {
    return false;
  }
  if (
    f.managementUnitIds.length > 0 &&
    (profile.managementUnitId === null || !f.managementUnitIds.includes(profile.managementUnitId))
  ) {
    return false;
  }
  return true;
}
