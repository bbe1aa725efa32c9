/**
 * The attributes of an agent that an incident compares: who the agent is (queues, management unit, division,
 * time zone, station type) and what was going on (a schedule change, time off, the shift start, an interaction,
 * who last set presence). Plain data, captured when a finding opens.
 */
export interface AgentAttributes {
  readonly queueIds?: readonly string[];
  readonly managementUnitId?: string | null;
  readonly divisionId?: string | null;
  readonly timeZone?: string | null;
  readonly stationType?: string | null;
  /** How the schedule last changed, when it changed in the last 24 h (`swap`, `edit`, `publish`, ...). */
  readonly scheduleChange24h?: string | null;
  readonly timeOff?: 'pending' | 'approved' | null;
  /** Shift start as local wall-clock hour in the agent's zone, e.g. `06:00`. */
  readonly shiftStart?: string | null;
  readonly interactionInProgress?: boolean;
  /** The source that last set the agent's presence (`PURECLOUD`, an integration, ...). */
  readonly presenceSource?: string | null;
}

/** One attribute value an agent has, e.g. `{ key: 'scheduleChange24h', value: 'swap' }`. */
export interface Trait {
  readonly key: TraitKey;
  /** `null` for a yes/no attribute that holds (an interaction in progress, any schedule change). */
  readonly value: string | null;
}

export type TraitKey =
  | 'queue'
  | 'managementUnit'
  | 'division'
  | 'timeZone'
  | 'stationType'
  | 'scheduleChange24h'
  | 'scheduleChangeKind'
  | 'timeOff'
  | 'shiftStart'
  | 'interactionInProgress'
  | 'presenceSource';

/** A stable text id of a trait (`queue=<id>`, `scheduleChange24h`). */
export function traitId(trait: Trait): string {
  return trait.value === null ? trait.key : `${trait.key}=${trait.value}`;
}

/** Every trait an agent has. A schedule change yields both "changed" and "changed by <kind>". Pure. */
export function traitsOf(attributes: AgentAttributes): Trait[] {
  const out: Trait[] = [];
  for (const queueId of new Set(attributes.queueIds ?? [])) out.push({ key: 'queue', value: queueId });
  const add = (key: TraitKey, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') out.push({ key, value });
  };
  add('managementUnit', attributes.managementUnitId);
  add('division', attributes.divisionId);
  add('timeZone', attributes.timeZone);
  add('stationType', attributes.stationType);
  if (attributes.scheduleChange24h) {
    out.push({ key: 'scheduleChange24h', value: null });
    add('scheduleChangeKind', attributes.scheduleChange24h);
  }
  add('timeOff', attributes.timeOff);
  add('shiftStart', attributes.shiftStart);
  if (attributes.interactionInProgress === true) out.push({ key: 'interactionInProgress', value: null });
  add('presenceSource', attributes.presenceSource);
  return out;
}

/** The operator words for a trait, e.g. "had a schedule change in the last 24 h". Pure. */
export function describeTrait(trait: Trait): string {
  switch (trait.key) {
    case 'queue':
      return `are members of queue ${trait.value}`;
    case 'managementUnit':
      return `are in management unit ${trait.value}`;
    case 'division':
      return `are in division ${trait.value}`;
    case 'timeZone':
      return `work in time zone ${trait.value}`;
    case 'stationType':
      return `use a ${trait.value} station`;
    case 'scheduleChange24h':
      return 'had a schedule change in the last 24 h';
    case 'scheduleChangeKind':
      return `had their schedule changed by a ${trait.value} in the last 24 h`;
    case 'timeOff':
      return trait.value === 'pending' ? 'have pending time off' : 'have approved time off';
    case 'shiftStart':
      return `start their shift at ${trait.value}`;
    case 'interactionInProgress':
      return 'were on an interaction';
    case 'presenceSource':
      return `had their presence last set by ${trait.value}`;
  }
}
