import { isIncidentEffect } from '@lockstep/webhooks';

/**
 * Which agents open incidents cover, per rule, as the outbox says: an `incident.opened` or `incident.updated`
 * entry sets the incident's failing agents, an `incident.resolved` one drops the incident. Filled at start from the
 * stored open incidents, so a restarted notifier mutes as before. Used for the subscriptions' `muteIncidentAgents`.
 */
export interface IncidentCoverage {
  /** Takes in an outbox effect (anything but an incident change is ignored). */
  apply(effect: unknown): void;
  /** Loads stored open incidents (documents as the engine stores them). */
  load(incidents: readonly unknown[]): void;
  /** Whether an open incident of `ruleId` lists `agentId` as failing. */
  covers(ruleId: string, agentId: string): boolean;
}

interface Covered {
  readonly ruleId: string;
  readonly agents: ReadonlySet<string>;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

export function createIncidentCoverage(): IncidentCoverage {
  const byIncident = new Map<string, Covered>();

  function set(id: unknown, ruleId: unknown, agents: string[], open: boolean): void {
    if (typeof id !== 'string' || typeof ruleId !== 'string') return;
    if (open) byIncident.set(id, { ruleId, agents: new Set(agents) });
    else byIncident.delete(id);
  }

  return {
    apply(effect) {
      if (!isIncidentEffect(effect)) return;
      const { type, incident } = effect as { type: string; incident?: Record<string, unknown> };
      if (typeof incident !== 'object' || incident === null) return;
      set(incident.id, incident.ruleId, strings(incident.failingAgentIds), type !== 'incident.resolved');
    },
    load(incidents) {
      for (const doc of incidents) {
        const i = doc as { id?: unknown; ruleId?: unknown; status?: unknown; members?: unknown };
        const members = Array.isArray(i.members) ? (i.members as Array<Record<string, unknown>>) : [];
        const failing = members.flatMap((m) =>
          m.resolvedAt === null && typeof m.agentId === 'string' ? [m.agentId] : [],
        );
        set(i.id, i.ruleId, failing, i.status === 'open');
      }
    },
    covers(ruleId, agentId) {
      for (const c of byIncident.values()) if (c.ruleId === ruleId && c.agents.has(agentId)) return true;
      return false;
    },
  };
}
