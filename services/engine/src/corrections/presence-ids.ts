import { type SystemPresence, tryNormalizeSystemPresence } from '@lockstep/domain';
import type { GenesysApi } from '@lockstep/genesys';

/**
 * Resolves a system presence to the org's presence definition id (never hard-coded: ids differ per org). The
 * definitions are read once (`load`), then kept; an unknown presence re-reads them once.
 */
export interface PresenceIds {
  resolve(presence: SystemPresence, load: () => Promise<void>): Promise<string | null>;
}

export function createPresenceIds(users: Pick<GenesysApi['users'], 'listPresenceDefinitions'>): PresenceIds {
  let ids: Map<SystemPresence, string> | undefined;
  let loading: Promise<void> | undefined;

  async function read(before: () => Promise<void>): Promise<void> {
    await before();
    const next = new Map<SystemPresence, string>();
    for (const def of await users.listPresenceDefinitions()) {
      const system =
        typeof def.systemPresence === 'string' ? tryNormalizeSystemPresence(def.systemPresence) : undefined;
      if (system === undefined || typeof def.id !== 'string' || def.deactivated === true) continue;
      // The org's primary (system) definition wins over secondary ones of the same presence.
      if (!next.has(system) || (def as { primary?: unknown }).primary === true) next.set(system, def.id);
    }
    ids = next;
  }

  return {
    async resolve(presence, load) {
      if (ids?.has(presence) !== true) {
        loading ??= read(load).finally(() => {
          loading = undefined;
        });
        await loading;
      }
      return ids?.get(presence) ?? null;
    },
  };
}
