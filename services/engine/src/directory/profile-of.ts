import type { AgentAttributes } from '@lockstep/domain';
import { type AgentProfileDoc, MAX_NAME_LENGTH, tagOf } from '@lockstep/store';

/** A profile without its `updatedAt`: what is compared to decide whether it changed. */
export type ProfileContent = Omit<AgentProfileDoc, 'updatedAt'>;

/** An id that can become an index tag (Genesys ids are UUIDs; anything else is dropped, not stored). */
const usable = (kind: string, id: string | null | undefined): id is string =>
  typeof id === 'string' && tagOf(kind, id) !== undefined;

/**
 * An agent's directory profile from what the engine knows: its name from the last user read, and the queues,
 * management unit and division of its incident attributes (discovery's memberships of the selected queues, WFM's
 * unit, the user read's division). A name is cut to `MAX_NAME_LENGTH`. Pure.
 */
export function profileOf(agentId: string, name: string | null, attributes: AgentAttributes): ProfileContent {
  const trimmed = name?.trim() ?? '';
  return {
    agentId,
    name: trimmed === '' ? null : trimmed.slice(0, MAX_NAME_LENGTH),
    queueIds: (attributes.queueIds ?? []).filter((q) => usable('queue', q)),
    divisionId: usable('division', attributes.divisionId) ? attributes.divisionId : null,
    managementUnitId: usable('mu', attributes.managementUnitId) ? attributes.managementUnitId : null,
  };
}
