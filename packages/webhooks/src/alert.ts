import { createHash } from 'node:crypto';
import type { AlertSeverity, AlertType } from './catalogue.js';

/** Largest serialised payload sent to a receiver. */
export const MAX_PAYLOAD_BYTES = 20 * 1024;

/** The JSON body a receiver gets: `{type, timestamp, data}` (Standard Webhooks payload shape). */
export interface AlertPayload {
  readonly type: AlertType;
  /** ISO-8601 instant of the event (the commit time for findings). */
  readonly timestamp: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** An alert ready to be matched against subscriptions and queued for delivery. */
export interface Alert {
  /** Deterministic: the same source event always gives the same id. Sent as `webhook-id`. */
  readonly id: string;
  readonly type: AlertType;
  /** The agent it concerns, or `null` for system alerts; deliveries are ordered per agent. */
  readonly agentId: string | null;
  readonly severity: AlertSeverity;
  readonly ruleId: string | null;
  /** Serialised payload (at most `MAX_PAYLOAD_BYTES` bytes of UTF-8). */
  readonly body: string;
}

/** What the notifier knows about an agent beyond its id (from the directory; every field may be unknown). */
export interface AgentProfile {
  readonly name: string | null;
  readonly queueIds: readonly string[];
  readonly divisionId: string | null;
  readonly managementUnitId: string | null;
}

export const UNKNOWN_PROFILE: AgentProfile = Object.freeze({
  name: null,
  queueIds: Object.freeze([]),
  divisionId: null,
  managementUnitId: null,
});

/** An outbox entry as the alert builder needs it (a subset of the store's `OutboxMessage`). */
export interface OutboxEntry {
  /** Stable outbox entry id (`<agentId>:<version>:<index>`): the alert id derives from it. */
  readonly id: string;
  readonly agentId: string;
  /** Commit time, epoch ms. */
  readonly at: number;
  readonly effect: unknown;
}

/** Deterministic alert id from a stable source key: `msg_` + 26 base32-ish characters of its SHA-256. */
export function alertIdFor(sourceKey: string): string {
  const digest = createHash('sha256').update(sourceKey).digest('base64url');
  return `msg_${digest.slice(0, 26)}`;
}

interface FindingLike {
  readonly id: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly action?: unknown;
  readonly since?: unknown;
  readonly openedAt?: unknown;
  readonly resolvedAt?: unknown;
  readonly summary?: unknown;
  readonly evidence?: unknown;
  readonly correction?: unknown;
}

function asFinding(value: unknown): FindingLike | null {
  if (typeof value !== 'object' || value === null) return null;
  const f = value as Record<string, unknown>;
  if (typeof f.id !== 'string' || typeof f.ruleId !== 'string' || typeof f.severity !== 'string') return null;
  return f as unknown as FindingLike;
}

const CORRECTION_TEXT: Readonly<Record<string, string>> = {
  none: 'alert only: the rule does not correct',
  unavailable: 'no safe automatic correction exists for this situation',
  deferred: 'a correction is planned once the agent finishes the current interaction',
  intended: 'lockstep is correcting the agent state',
  suppressed: 'corrections are suppressed by the flap guard (too many for this agent recently)',
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Turns an outbox entry into an alert, or `null` when the effect is not alerted (correction intents,
 * finding updates that do not escalate, unknown or malformed effects). Pure and deterministic: the same
 * entry gives the same alert, byte for byte. `finding.updated` becomes `finding.escalated` only when the
 * flap guard suppressed corrections and raised the finding to critical; its id derives from the finding, so
 * the subscriber gets one escalation per finding.
 */
export function buildFindingAlert(
  entry: OutboxEntry,
  profile: AgentProfile,
  options: { readonly apiBaseUrl: string },
): Alert | null {
  const effect = entry.effect as { type?: unknown; finding?: unknown } | null;
  if (typeof effect !== 'object' || effect === null) return null;
  const finding = asFinding(effect.finding);
  if (finding === null) return null;
  let type: AlertType;
  if (effect.type === 'finding.opened') type = 'finding.opened';
  else if (effect.type === 'finding.resolved') type = 'finding.resolved';
  else if (
    effect.type === 'finding.updated' &&
    finding.severity === 'critical' &&
    finding.correction === 'suppressed'
  ) {
    type = 'finding.escalated';
  } else return null;
  const since = num(finding.since);
  const resolvedAt = num(finding.resolvedAt);
  const end = resolvedAt ?? entry.at;
  const correction = typeof finding.correction === 'string' ? finding.correction : 'none';
  // An escalation is alerted once per finding, however many updates repeat it.
  const id = alertIdFor(type === 'finding.escalated' ? `escalated:${finding.id}` : `outbox:${entry.id}`);
  const severity = (['info', 'warning', 'critical'] as const).find((s) => s === finding.severity) ?? 'info';
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const data: Record<string, unknown> = {
    alertId: id,
    findingId: finding.id,
    agentId: entry.agentId,
    agentName: profile.name,
    ruleId: finding.ruleId,
    severity,
    summary: typeof finding.summary === 'string' ? finding.summary : '',
    evidence: Array.isArray(finding.evidence) ? finding.evidence : [],
    since: iso(since),
    openedAt: iso(num(finding.openedAt)),
    resolvedAt: iso(resolvedAt),
    durationSeconds: since === null ? null : Math.max(0, Math.round((end - since) / 1000)),
    action: typeof finding.action === 'string' ? finding.action : null,
    correction: { status: correction, text: CORRECTION_TEXT[correction] ?? correction },
    links: { agent: `${base}/v1/agents/${encodeURIComponent(entry.agentId)}` },
  };
  const body = fitPayload({ type, timestamp: new Date(entry.at).toISOString(), data });
  return { id, type, agentId: entry.agentId, severity, ruleId: finding.ruleId, body };
}

/**
 * Serialises a payload within `MAX_PAYLOAD_BYTES`: when too large, evidence is cut from the end, then the
 * summary is shortened, and `data.truncated` is set. Throws only if even the skeleton does not fit.
 */
export function fitPayload(payload: AlertPayload): string {
  let text = JSON.stringify(payload);
  if (Buffer.byteLength(text) <= MAX_PAYLOAD_BYTES) return text;
  const data: Record<string, unknown> = { ...payload.data, truncated: true };
  const evidence = Array.isArray(data.evidence) ? [...(data.evidence as unknown[])] : [];
  while (evidence.length > 0) {
    evidence.pop();
    data.evidence = evidence;
    text = JSON.stringify({ ...payload, data });
    if (Buffer.byteLength(text) <= MAX_PAYLOAD_BYTES) return text;
  }
  if (typeof data.summary === 'string') data.summary = data.summary.slice(0, 1_000);
  text = JSON.stringify({ ...payload, data });
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`alert payload of type ${payload.type} exceeds ${MAX_PAYLOAD_BYTES} bytes`);
  }
  return text;
}

/** A system alert (not about one agent), e.g. `subscription.disabled`. `sourceKey` makes its id stable. */
export function buildSystemAlert(
  type: AlertType,
  sourceKey: string,
  at: number,
  data: Readonly<Record<string, unknown>>,
): Alert {
  const id = alertIdFor(`system:${sourceKey}`);
  const body = fitPayload({ type, timestamp: new Date(at).toISOString(), data: { alertId: id, ...data } });
  return { id, type, agentId: null, severity: 'warning', ruleId: null, body };
}

/**
 * A `webhook.test` alert for `POST /v1/webhooks/{id}/test`: queue it with `DeliveryQueue.enqueue` for that
 * subscription only. `requestId` (unique per request) makes its id.
 */
export function buildTestAlert(subscriptionId: string, requestId: string, at: number): Alert {
  return buildSystemAlert('webhook.test', `test:${subscriptionId}:${requestId}`, at, {
    subscriptionId,
    message: 'lockstep test delivery',
  });
}
