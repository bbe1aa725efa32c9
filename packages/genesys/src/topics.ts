import { GenesysError } from './errors.js';

/** Longest combined topic the platform accepts (reference §2.3). */
export const MAX_TOPIC_LENGTH = 200;

/** What a subscription unit belongs to. */
export type UnitKind = 'agent' | 'managementUnit' | 'queue';

/**
 * The topics of one agent, management unit or queue. Units are placed on channels whole, so a channel loss maps
 * to exactly the units (agents) that need a resync. `wfm` topics are kept apart so they can be dropped alone
 * when the OAuth client lacks WFM permissions.
 */
export interface SubscriptionUnit {
  /** `agent:<id>`, `managementUnit:<id>` or `queue:<id>`, id lower-cased (see `unitKey`). */
  readonly key: string;
  readonly kind: UnitKind;
  readonly id: string;
  readonly core: readonly string[];
  readonly wfm: readonly string[];
}

export interface AgentTopicOptions {
  /** Which conversation topic to follow. Default `conversationsummary` (cheaper than full conversations). */
  readonly conversationTopic?: 'conversationsummary' | 'conversations';
  /** Also subscribe `activity` (presence + routing in one event). Default false. */
  readonly activity?: boolean;
  /** Subscribe the per-agent WFM topics (adherence, schedules, time-off). Default true. */
  readonly wfm?: boolean;
  /** Use the combined `prefix?a&b` form. Default true. */
  readonly combine?: boolean;
  readonly maxTopicLength?: number;
}

/**
 * Combines suffixes under one prefix as `prefix?a&b&c` topics of at most `maxLength` characters, splitting into
 * several topics when needed; a lone suffix becomes the plain `prefix.suffix`. Pure. Throws INVALID_OPTIONS if a
 * single suffix cannot fit.
 */
export function combineTopics(
  prefix: string,
  suffixes: readonly string[],
  maxLength = MAX_TOPIC_LENGTH,
): string[] {
  const groups: string[][] = [];
  let current: string[] = [];
  let length = prefix.length;
  for (const s of suffixes) {
    if (prefix.length + 1 + s.length > maxLength) {
      throw new GenesysError(
        'GENESYS_INVALID_OPTIONS',
        `topic ${prefix}.${s} is longer than ${maxLength} characters`,
      );
    }
    if (current.length > 0 && length + 1 + s.length > maxLength) {
      groups.push(current);
      current = [];
      length = prefix.length;
    }
    current.push(s);
    length += 1 + s.length;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((g) => (g.length === 1 ? `${prefix}.${g[0]}` : `${prefix}?${g.join('&')}`));
}

function topicsFor(
  prefix: string,
  suffixes: readonly string[],
  combine: boolean,
  maxLength: number,
): string[] {
  if (suffixes.length === 0) return [];
  return combine ? combineTopics(prefix, suffixes, maxLength) : suffixes.map((s) => `${prefix}.${s}`);
}

export const AGENT_WFM_SUFFIXES = [
  'workforcemanagement.adherence',
  'workforcemanagement.schedules',
  'workforcemanagement.timeoffrequests',
] as const;

/** The per-agent unit: presence, routingStatus, station, conversations, outofoffice (+ WFM). Pure. */
export function agentUnit(agentId: string, opts: AgentTopicOptions = {}): SubscriptionUnit {
  const combine = opts.combine ?? true;
  const max = opts.maxTopicLength ?? MAX_TOPIC_LENGTH;
  const core = [
    'presence',
    'routingStatus',
    'station',
    opts.conversationTopic ?? 'conversationsummary',
    'outofoffice',
    ...(opts.activity ? ['activity'] : []),
  ];
  const prefix = `v2.users.${agentId}`;
  return {
    key: unitKey('agent', agentId),
    kind: 'agent',
    id: agentId,
    core: topicsFor(prefix, core, combine, max),
    wfm: opts.wfm === false ? [] : topicsFor(prefix, AGENT_WFM_SUFFIXES, combine, max),
  };
}

/** A management unit's adherence and schedule-change topics (all WFM). Pure. */
export function managementUnitUnit(
  muId: string,
  opts: Pick<AgentTopicOptions, 'combine'> = {},
): SubscriptionUnit {
  const prefix = `v2.workforcemanagement.managementunits.${muId}`;
  return {
    key: unitKey('managementUnit', muId),
    kind: 'managementUnit',
    id: muId,
    core: [],
    wfm: topicsFor(prefix, ['adherence', 'agentschedules.changed'], opts.combine ?? true, MAX_TOPIC_LENGTH),
  };
}

/** A queue's membership topic `v2.routing.queues.{id}.users`. Pure. */
export function queueUnit(queueId: string): SubscriptionUnit {
  return {
    key: unitKey('queue', queueId),
    kind: 'queue',
    id: queueId,
    core: [`v2.routing.queues.${queueId}.users`],
    wfm: [],
  };
}

/** The key of a unit; ids compare case-insensitively because the platform matches topics that way. Pure. */
export function unitKey(kind: UnitKind, id: string): string {
  return `${kind}:${id.toLowerCase()}`;
}

/** Number of topics a unit occupies on a channel (combined topics count once). */
export function unitTopicCount(unit: SubscriptionUnit, withWfm: boolean): number {
  return unit.core.length + (withWfm ? unit.wfm.length : 0);
}

/** True for topics that need WFM permissions. */
export function isWfmTopic(topic: string): boolean {
  return topic.toLowerCase().includes('workforcemanagement');
}

const OWNER_PREFIXES: ReadonlyArray<readonly [string, UnitKind]> = [
  ['v2.users.', 'agent'],
  ['v2.workforcemanagement.managementunits.', 'managementUnit'],
  ['v2.routing.queues.', 'queue'],
];

/** The unit key a topic (plain, combined or expanded) belongs to, e.g. `agent:<id>`; undefined if none. Pure. */
export function topicUnitKey(topic: string): string | undefined {
  const lower = topic.toLowerCase();
  for (const [prefix, kind] of OWNER_PREFIXES) {
    if (!lower.startsWith(prefix)) continue;
    let end = topic.length;
    for (const sep of ['.', '?']) {
      const i = topic.indexOf(sep, prefix.length);
      if (i !== -1 && i < end) end = i;
    }
    return end > prefix.length ? unitKey(kind, topic.slice(prefix.length, end)) : undefined;
  }
  return undefined;
}
