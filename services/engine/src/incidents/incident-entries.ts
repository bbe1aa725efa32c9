import type { Incident, IncidentChange } from '@lockstep/domain';
import type { DirectEntry } from '@lockstep/store';

/** Most recovered or joining agent ids an outbox entry lists (the stored incident keeps every member). */
export const MAX_LISTED_AGENTS = 100;

/**
 * The body of an `incident.*` outbox entry: the incident without the members' attributes (which can be large),
 * with EVERY failing agent id (the notifier mutes their per-agent alerts for subscriptions that ask), at most
 * `MAX_LISTED_AGENTS` recovered, joined and recovered-now ids, and the common-cause lines. Pure.
 */
export function incidentBody(change: IncidentChange): Record<string, unknown> {
  const i = change.incident;
  const failing = i.members.filter((m) => m.resolvedAt === null).map((m) => m.agentId);
  const recovered = i.members.filter((m) => m.resolvedAt !== null).map((m) => m.agentId);
  return {
    type: change.type,
    incident: {
      id: i.id,
      ruleId: i.ruleId,
      status: i.status,
      openedAt: i.openedAt,
      updatedAt: i.updatedAt,
      resolvedAt: i.resolvedAt,
      agents: i.members.length,
      failing: failing.length,
      failingAgentIds: failing,
      recoveredAgentIds: recovered.slice(0, MAX_LISTED_AGENTS),
      commonCause: i.commonCause.map((c) => ({
        id: c.id,
        text: c.text,
        affected: c.affected,
        affectedShare: c.affectedShare,
        baselineShare: c.baselineShare,
        lift: c.lift,
      })),
      summary: i.summary,
    },
    ...(change.type === 'incident.updated'
      ? {
          joined: change.joined.slice(0, MAX_LISTED_AGENTS),
          recovered: change.recovered.slice(0, MAX_LISTED_AGENTS),
        }
      : {}),
  };
}

/**
 * The outbox entry announcing a change. Its id (`<incident id>:<type>:<updatedAt>`) is stable, so publishing it
 * again after a crash appends nothing. Pure.
 */
export function incidentEntry(change: IncidentChange, at: number): DirectEntry {
  const i: Incident = change.incident;
  return {
    id: `${i.id}:${change.type}:${i.updatedAt}`,
    key: i.id,
    version: i.updatedAt,
    at,
    body: incidentBody(change),
  };
}
