import {
  type AgentProfile,
  type Alert,
  alertIdFor,
  buildFindingAlert,
  fitPayload,
  type OutboxEntry,
} from './alert.js';
import type { AlertSeverity, AlertType } from './catalogue.js';

const DECLARATION_TYPES: readonly AlertType[] = [
  'declaration.applied',
  'declaration.deferred',
  'declaration.refused',
  'declaration.reverted',
  'declaration.expired',
  'declaration.superseded',
];

/** The payload text of each outcome status, for people reading the alert. */
const OUTCOME_TEXT: Readonly<Record<string, string>> = {
  pending: 'lockstep is applying the declared state and waits for the platform to show it',
  applied: 'the platform shows the declared state',
  deferred: 'not safe now: applied as soon as it is',
  refused: 'lockstep will not apply the declared state until what makes it unsafe is fixed',
  'reverted-by': 'changed on purpose by the agent or a supervisor: not re-applied',
  expired: 'the declaration is no longer valid',
  superseded: 'a newer declaration replaced it',
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function severityOf(type: AlertType, status: string): AlertSeverity {
  if (type === 'declaration.refused') return 'warning';
  if (type === 'declaration.reverted') return status === 'reverted-by' ? 'info' : 'warning';
  return 'info';
}

/**
 * Turns a `declaration.*` outbox entry into an alert, or `null` for any other or malformed effect. Pure and
 * deterministic (the alert id derives from the outbox entry id). `ruleId` is `null`: a declaration is not a
 * finding, so rule filters never match it.
 */
export function buildDeclarationAlert(
  entry: OutboxEntry,
  profile: AgentProfile,
  options: { readonly apiBaseUrl: string },
): Alert | null {
  const effect = entry.effect as { type?: unknown; declaration?: unknown } | null;
  if (typeof effect !== 'object' || effect === null) return null;
  const type = DECLARATION_TYPES.find((t) => t === effect.type);
  const d = effect.declaration as Record<string, unknown> | null | undefined;
  if (type === undefined || typeof d !== 'object' || d === null || typeof d.id !== 'string') return null;
  const outcome = (typeof d.outcome === 'object' && d.outcome !== null ? d.outcome : {}) as Record<
    string,
    unknown
  >;
  const status = str(outcome.status) ?? 'pending';
  const id = alertIdFor(`outbox:${entry.id}`);
  const severity = severityOf(type, status);
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const data: Record<string, unknown> = {
    alertId: id,
    declarationId: d.id,
    agentId: entry.agentId,
    agentName: profile.name,
    severity,
    presence: str(d.presence),
    definitionId: str(d.definitionId),
    validFrom: iso(num(d.validFrom)),
    validUntil: iso(num(d.validUntil)),
    reason: str(d.reason) ?? '',
    source: str(d.source),
    outcome: {
      status,
      since: iso(num(outcome.since)),
      why: str(outcome.why),
      by: str(outcome.by),
      text: OUTCOME_TEXT[status] ?? status,
    },
    attempts: num(d.attempts) ?? 0,
    reverts: num(d.reverts) ?? 0,
    revertedBy: str(d.revertedBy),
    links: { agent: `${base}/v1/agents/${encodeURIComponent(entry.agentId)}` },
  };
  const body = fitPayload({ type, timestamp: new Date(entry.at).toISOString(), data });
  return { id, type, agentId: entry.agentId, severity, ruleId: null, body };
}

/** The alert of any outbox entry: a finding's or a declaration's, or `null` when it is not alerted. Pure. */
export function buildOutboxAlert(
  entry: OutboxEntry,
  profile: AgentProfile,
  options: { readonly apiBaseUrl: string },
): Alert | null {
  return buildFindingAlert(entry, profile, options) ?? buildDeclarationAlert(entry, profile, options);
}
