import type { DeclareEvent } from '../events.js';
import type { DeclarationRequest, DesiredState } from './types.js';

/** Whether a DECLARE is a desired-state declaration (it has `validFrom`) rather than a plain "should stick". */
export function isDesiredDeclaration(event: DeclareEvent): boolean {
  return event.validFrom !== undefined && event.presence !== undefined;
}

/** The declaration id of a DECLARE: the declarer's own, or `<agentId>:declared:<at>`. Pure. */
export function declarationIdOf(agentId: string, event: DeclareEvent): string {
  return event.declarationId ?? `${agentId}:declared:${event.at}`;
}

/** The request a desired-state DECLARE carries. Pure; call only when {@link isDesiredDeclaration}. */
export function requestOf(agentId: string, event: DeclareEvent): DeclarationRequest {
  const validFrom = event.validFrom ?? event.at;
  return {
    id: declarationIdOf(agentId, event),
    presence: event.presence ?? 'ON_QUEUE',
    definitionId: event.definitionId ?? null,
    validFrom,
    validUntil: event.validUntil ?? validFrom + (event.ttlMs ?? 0),
    reason: event.reason ?? '',
    source: event.by,
    declaredAt: event.at,
    overridesSchedule: event.overridesSchedule ?? false,
  };
}

function requestKey(r: DeclarationRequest): string {
  return JSON.stringify([
    r.id,
    r.presence,
    r.definitionId,
    r.validFrom,
    r.validUntil,
    r.reason,
    r.source,
    r.overridesSchedule,
  ]);
}

/**
 * Folds a desired-state DECLARE into the agent's current declaration. Pure. The newest declaration (by `at`,
 * ties broken by content so any order of the same declarations ends the same) replaces the current one, whose
 * outcome then becomes `superseded` (the step reports it). A replay of the current declaration, or an older one,
 * changes nothing (the same object is returned).
 */
export function foldDeclaration(
  current: DesiredState | null,
  agentId: string,
  event: DeclareEvent,
): DesiredState | null {
  const request = requestOf(agentId, event);
  if (current !== null) {
    if (request.declaredAt < current.declaredAt) return current;
    const [key, currentKey] = [requestKey(request), requestKey(current)];
    if (key === currentKey) return current;
    if (request.declaredAt === current.declaredAt && key < currentKey) return current;
  }
  return {
    ...request,
    outcome: { status: 'pending', since: request.declaredAt, why: null, by: null },
    attempts: 0,
    lastIntentAt: null,
    confirmedAt: null,
    heldBefore: null,
    reverts: 0,
    revertedBy: null,
    wakeAt: null,
  };
}
