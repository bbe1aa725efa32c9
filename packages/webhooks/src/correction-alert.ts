import { type Alert, type AgentProfile, alertIdFor, fitPayload, type OutboxEntry } from './alert.js';
import type { AlertSeverity, AlertType } from './catalogue.js';

/** Correction outcomes alerted, with their severity. */
const OUTCOMES: Readonly<Record<string, { type: AlertType; severity: AlertSeverity }>> = {
  'correction.applied': { type: 'correction.applied', severity: 'info' },
  'correction.deferred': { type: 'correction.deferred', severity: 'info' },
  'correction.refused': { type: 'correction.refused', severity: 'warning' },
  'correction.expired': { type: 'correction.expired', severity: 'warning' },
  'correction.failed': { type: 'correction.failed', severity: 'critical' },
};

/** Whether an effect type is a correction outcome this builder turns into an alert. */
export function isCorrectionOutcome(type: unknown): boolean {
  return typeof type === 'string' && Object.hasOwn(OUTCOMES, type);
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Turns a correction outcome written by the engine's executor (`correction.applied`, `.failed`, `.deferred`,
 * `.refused`, `.expired`) into an alert, or `null` for anything else. Pure and deterministic; the id derives
 * from the outbox entry id.
 */
export function buildCorrectionAlert(
  entry: OutboxEntry,
  profile: AgentProfile,
  options: { readonly apiBaseUrl: string },
): Alert | null {
  const effect = entry.effect as Record<string, unknown> | null;
  if (typeof effect !== 'object' || effect === null) return null;
  const kind = OUTCOMES[String(effect.type)];
  if (kind === undefined) return null;
  const id = alertIdFor(`outbox:${entry.id}`);
  const ruleId = text(effect.ruleId);
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const data: Record<string, unknown> = {
    alertId: id,
    agentId: entry.agentId,
    agentName: profile.name,
    intentId: text(effect.intentId),
    findingId: text(effect.findingId),
    ruleId,
    declarationId: text(effect.declarationId),
    severity: kind.severity,
    kind: text(effect.kind),
    target: effect.target ?? null,
    before: effect.before ?? null,
    request: effect.request ?? null,
    status: num(effect.status),
    correlationId: text(effect.correlationId),
    attempt: num(effect.attempt),
    fence: num(effect.fence),
    reason: text(effect.reason),
    observed: effect.observed ?? null,
    links: { agent: `${base}/v1/agents/${encodeURIComponent(entry.agentId)}` },
  };
  const body = fitPayload({ type: kind.type, timestamp: new Date(entry.at).toISOString(), data });
  return { id, type: kind.type, agentId: entry.agentId, severity: kind.severity, ruleId, body };
}
