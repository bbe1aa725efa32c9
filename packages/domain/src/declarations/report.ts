import type { DeclarationReport, DesiredState } from './types.js';

/** The public form of a declaration (agent record, outbox, admin API). Pure. */
export function declarationReport(agentId: string, d: DesiredState): DeclarationReport {
  return {
    agentId,
    id: d.id,
    presence: d.presence,
    definitionId: d.definitionId,
    validFrom: d.validFrom,
    validUntil: d.validUntil,
    reason: d.reason,
    source: d.source,
    declaredAt: d.declaredAt,
    overridesSchedule: d.overridesSchedule,
    outcome: d.outcome,
    attempts: d.attempts,
    reverts: d.reverts,
    revertedBy: d.revertedBy,
  };
}
