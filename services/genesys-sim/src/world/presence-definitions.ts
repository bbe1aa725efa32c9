import type { SystemPresence } from './contract.js';

/** The ten system presence definitions and their well-known ids (reference §3.10). */
export const SYSTEM_PRESENCE_IDS: Readonly<Record<SystemPresence, string>> = {
  Available: '6a3af858-942f-489d-9700-5f9bcdcdae9b',
  Busy: '31fe3bac-dea6-44b7-bed7-47f91660a1a0',
  Away: '5e5c5c66-ea97-4e7f-ac41-6424784829f2',
  Idle: '7ffa01cd-7866-4ad7-8faa-31e11b42f51f',
  Meeting: 'bbdff279-7ae1-48ea-bade-7831d7234c64',
  Meal: '3fd96123-badb-4f69-bc03-1b1ccc6d8014',
  Training: 'd2390a99-8546-bad9-8f0a-219548e8aeb0',
  'On Queue': 'e08eaf1b-ee47-4fa9-a231-1200e284798f',
  Break: '227b37e2-f1d0-4dd0-8f50-badd7cf6d158',
  Offline: 'ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5',
};

export const PRESENCE_DEFINITION_IDS: readonly string[] = Object.values(SYSTEM_PRESENCE_IDS);

/** One presence definition the org offers (system or secondary). */
export interface PresenceDefinition {
  readonly id: string;
  readonly name: string;
  readonly systemPresence: SystemPresence;
  /** True for the ten system definitions. */
  readonly primary: boolean;
  /** Notification spelling, e.g. `ON_QUEUE` (reference §3.1). */
  readonly wireSystemPresence: string;
  /** WFM REST adherence spelling, e.g. `OnQueue` (reference §3.10). */
  readonly wfmSystemPresence: string;
}

/** Upper-snake notification spelling of a title-case system presence. */
export function upperSnake(presence: SystemPresence): string {
  return presence.toUpperCase().replace(/ /g, '_');
}

/** The org's definition catalogue: system definitions first, then the scenario's secondary ones. */
export function createPresenceCatalogue(
  secondary: ReadonlyArray<{ id: string; name: string; systemPresence: SystemPresence }>,
): Map<string, PresenceDefinition> {
  const map = new Map<string, PresenceDefinition>();
  for (const [name, id] of Object.entries(SYSTEM_PRESENCE_IDS) as Array<[SystemPresence, string]>) {
    map.set(id, {
      id,
      name,
      systemPresence: name,
      primary: true,
      wireSystemPresence: upperSnake(name),
      wfmSystemPresence: name.replace(/ /g, ''),
    });
  }
  for (const d of secondary) {
    map.set(d.id, {
      id: d.id,
      name: d.name,
      systemPresence: d.systemPresence,
      primary: false,
      wireSystemPresence: upperSnake(d.systemPresence),
      wfmSystemPresence: d.systemPresence.replace(/ /g, ''),
    });
  }
  return map;
}
