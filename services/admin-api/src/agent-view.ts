import type { AgentProfileDoc, AgentRecord, HistoryEntry } from '@lockstep/store';

const iso = (ms: unknown): string | null =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;

interface Declared {
  presence: string | null;
  routing: string | null;
  by: string;
  at: number;
  until: number;
}

/**
 * An agent's directory entry as the API shows it: its memberships, and since when the entry holds as it is
 * (`null` when no engine watches the agent). Pure.
 */
export function membershipsView(profile: AgentProfileDoc | null) {
  if (profile === null) return null;
  return {
    queueIds: [...profile.queueIds],
    divisionId: profile.divisionId,
    managementUnitId: profile.managementUnitId,
    updatedAt: iso(profile.updatedAt),
  };
}

/** Outcome of a declared state as far as the committed state tells it. */
export type DesiredOutcome = 'pending' | 'applied' | 'expired';

/**
 * The agent as the API shows it, from its committed record. Pure: `now` decides whether a declaration expired.
 * Signals keep "since when the value holds" (`since`) apart from "when it was last seen" (`seenAt`, when known).
 */
export function agentView(record: AgentRecord, profile: AgentProfileDoc | null, now: number) {
  const machine = (record.machine ?? {}) as { value?: unknown; context?: Record<string, unknown> };
  const context = machine.context ?? {};
  const rawSignals = (record.signals ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const signals: Record<
    string,
    { value: unknown; since: string | null; seenAt: string | null; source: string }
  > = {};
  for (const [name, s] of Object.entries(rawSignals)) {
    if (s === undefined) continue;
    signals[name] = {
      value: s.value ?? null,
      since: iso(s.since ?? s.at),
      seenAt: iso(s.seenAt ?? s.at),
      source: typeof s.source === 'string' ? s.source : 'unknown',
    };
  }
  const declared = (context.declared ?? null) as Declared | null;
  const presence = (rawSignals.presence?.value as { system?: unknown } | undefined)?.system ?? null;
  const routing = rawSignals.routing?.value ?? null;
  let outcome: DesiredOutcome | null = null;
  if (declared !== null) {
    const reached =
      (declared.presence === null || declared.presence === presence) &&
      (declared.routing === null || declared.routing === routing);
    outcome = declared.until <= now ? 'expired' : reached ? 'applied' : 'pending';
  }
  const corrections = Array.isArray(context.corrections) ? (context.corrections as unknown[]) : [];
  return {
    agentId: record.agentId,
    name: profile?.name ?? null,
    memberships: membershipsView(profile),
    version: record.version,
    updatedAt: iso(record.updatedAt),
    state: record.state,
    machine: {
      value: machine.value ?? null,
      status: typeof context.status === 'string' ? context.status : null,
      health: typeof context.health === 'string' ? context.health : null,
      wfm: context.wfm ?? null,
      clock: iso(context.clock),
      deadline: iso(context.deadline),
    },
    signals,
    findings: record.findings.map((f) => ({
      id: f.id,
      ruleId: f.ruleId,
      severity: f.severity,
      action: typeof f.action === 'string' ? f.action : null,
      summary: typeof f.summary === 'string' ? f.summary : '',
      since: iso(f.since),
      openedAt: iso(f.openedAt),
      updatedAt: iso(f.updatedAt),
      facts: Array.isArray(f.evidence) ? (f.evidence as unknown[]) : [],
      correction: f.correction ?? null,
    })),
    desiredState:
      declared === null
        ? null
        : {
            presence: declared.presence,
            routing: declared.routing,
            source: declared.by,
            validFrom: iso(declared.at),
            validUntil: iso(declared.until),
            outcome,
          },
    schedule: rawSignals.schedule === undefined ? null : (signals.schedule ?? null),
    lastCorrections: corrections
      .filter((t): t is number => typeof t === 'number')
      .slice(-10)
      .map((t) => iso(t)),
    pendingOutbox: record.pendingOutbox,
  };
}

export const HISTORY_KINDS = ['signal', 'finding', 'correction', 'declaration', 'tick'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** The kinds one history entry belongs to. Pure. */
export function historyKinds(entry: HistoryEntry): HistoryKind[] {
  const kinds: HistoryKind[] = [];
  const health = (state: string) => state.split('/')[1] ?? '';
  if (entry.cause === 'correction') kinds.push('correction');
  if (entry.cause === 'tick') kinds.push('tick');
  if (entry.detail.includes('declare(')) kinds.push('declaration');
  if (
    (entry.cause === 'event' || entry.cause === 'resync') &&
    entry.detail.replace(/declare\([^)]*\)(x\d+)?,?/g, '') !== ''
  )
    kinds.push('signal');
  if (health(entry.from) !== health(entry.to)) kinds.push('finding');
  return kinds;
}
