import { type Alert, alertIdFor, fitPayload, type OutboxEntry } from './alert.js';
import type { AlertType } from './catalogue.js';

const INCIDENT_TYPES: readonly AlertType[] = ['incident.opened', 'incident.updated', 'incident.resolved'];

/** Most agent ids a payload lists per field. */
const MAX_LISTED = 100;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Whether an outbox effect is an incident change (the engine's incident grouper publishes these). */
export function isIncidentEffect(effect: unknown): boolean {
  const type = (effect as { type?: unknown } | null)?.type;
  return typeof type === 'string' && (INCIDENT_TYPES as readonly string[]).includes(type);
}

/**
 * Turns an `incident.*` outbox entry into ONE alert for the whole group (however many agents it covers), or
 * `null` when the entry is not an incident change or is malformed. The payload names the rule, the agents failing
 * and recovered, and the common-cause lines ("9/9 had a schedule change in the last 24 h (baseline 12 %)"). The
 * alert id derives from the outbox entry id, so a replay carries the same id. Incident alerts concern no single
 * agent (`agentId: null`: they share the system delivery lane, in order) and are `critical` while open, `info`
 * once resolved. Pure and deterministic.
 */
export function buildIncidentAlert(
  entry: OutboxEntry,
  options: { readonly apiBaseUrl: string },
): Alert | null {
  const effect = entry.effect as {
    type?: unknown;
    incident?: unknown;
    joined?: unknown;
    recovered?: unknown;
  };
  if (!isIncidentEffect(effect)) return null;
  const incident = effect.incident as Record<string, unknown> | null | undefined;
  if (typeof incident !== 'object' || incident === null) return null;
  if (typeof incident.id !== 'string' || typeof incident.ruleId !== 'string') return null;
  const type = effect.type as AlertType;
  const id = alertIdFor(`outbox:${entry.id}`);
  const severity = type === 'incident.resolved' ? 'info' : 'critical';
  const causes = Array.isArray(incident.commonCause) ? (incident.commonCause as unknown[]) : [];
  const lines = causes.flatMap((c) => {
    const text = (c as { text?: unknown } | null)?.text;
    return typeof text === 'string' ? [text] : [];
  });
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const data: Record<string, unknown> = {
    alertId: id,
    incidentId: incident.id,
    ruleId: incident.ruleId,
    status: incident.status === 'resolved' ? 'resolved' : 'open',
    severity,
    summary: typeof incident.summary === 'string' ? incident.summary : '',
    commonCause: lines,
    agents: num(incident.agents),
    failing: num(incident.failing),
    failingAgentIds: strings(incident.failingAgentIds).slice(0, MAX_LISTED),
    recoveredAgentIds: strings(incident.recoveredAgentIds).slice(0, MAX_LISTED),
    ...(type === 'incident.updated'
      ? {
          joined: strings(effect.joined).slice(0, MAX_LISTED),
          recovered: strings(effect.recovered).slice(0, MAX_LISTED),
        }
      : {}),
    openedAt: iso(num(incident.openedAt)),
    resolvedAt: iso(num(incident.resolvedAt)),
    links: { incident: `${base}/v1/incidents/${encodeURIComponent(incident.id)}` },
  };
  const body = fitPayload({ type, timestamp: new Date(entry.at).toISOString(), data });
  return { id, type, agentId: null, severity, ruleId: incident.ruleId, body };
}
