/**
 * Topic grammar of the notification service (reference §2.3, §3). Pure functions; no I/O.
 * Topics are matched case-insensitively (reference §2.5): everything here works on lower-cased names.
 */

/** Per-user topic suffixes the simulator accepts, lower-cased (reference §3.1–§3.9). */
const USER_SUFFIXES = new Set([
  'presence',
  'routingstatus',
  'activity',
  'station',
  'conversations',
  'conversations.calls',
  'conversations.callbacks',
  'conversations.chats',
  'conversations.emails',
  'conversations.messages',
  'conversations.cobrowsesessions',
  'conversations.screenshares',
  'conversations.socialexpressions',
  'conversations.videos',
  'conversationsummary',
  'outofoffice',
  'persistentconnection',
  'workforcemanagement.adherence',
  'workforcemanagement.schedules',
  'workforcemanagement.timeoffrequests',
  'workforcemanagement.notifications',
]);

const MU_SUFFIXES = new Set(['adherence', 'agentschedules.changed']);
const QUEUE_SUFFIXES = new Set(['users']);

const ID = '[a-z0-9][a-z0-9_-]{0,63}';
const PREFIXES: ReadonlyArray<{ re: RegExp; suffixes: ReadonlySet<string> }> = [
  { re: new RegExp(`^v2\\.users\\.${ID}$`), suffixes: USER_SUFFIXES },
  { re: new RegExp(`^v2\\.workforcemanagement\\.managementunits\\.${ID}$`), suffixes: MU_SUFFIXES },
  { re: new RegExp(`^v2\\.routing\\.queues\\.${ID}$`), suffixes: QUEUE_SUFFIXES },
];

/** Longest combined topic (reference §2.3). */
export const MAX_COMBINED_TOPIC_LENGTH = 200;

/** The permission a WFM topic needs (names from reference §4.6; which one each topic checks is [UNVERIFIED]). */
function wfmPermission(expanded: string): string | undefined {
  if (!expanded.includes('workforcemanagement')) return undefined;
  if (expanded.endsWith('.adherence')) return 'wfm:realtimeAdherence:view';
  if (expanded.endsWith('.timeoffrequests')) return 'wfm:timeOffRequest:view';
  if (expanded.endsWith('.agentschedules.changed')) return 'wfm:schedule:view';
  return 'wfm:agentSchedule:view';
}

export type ParsedTopic =
  | {
      readonly ok: true;
      /** Concrete lower-cased topic names events are delivered under. */
      readonly expanded: readonly string[];
      /** Permissions the topic needs beyond the baseline (WFM topics). */
      readonly wfmPermissions: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

function splitConcrete(lower: string): { prefix: string; suffix: string } | undefined {
  for (const p of PREFIXES) {
    // The id is the segment after the fixed part; find where the suffix starts by trying each split point.
    let dot = lower.indexOf('.');
    while (dot !== -1) {
      const prefix = lower.slice(0, dot);
      const suffix = lower.slice(dot + 1);
      if (p.re.test(prefix) && p.suffixes.has(suffix)) return { prefix, suffix };
      dot = lower.indexOf('.', dot + 1);
    }
  }
  return undefined;
}

/** Validates one subscription topic, expanding the combined form `prefix?a&b&c`. */
export function parseTopic(topic: string): ParsedTopic {
  if (typeof topic !== 'string' || topic.length === 0) return { ok: false, reason: 'Topic is empty' };
  const lower = topic.toLowerCase();
  const q = lower.indexOf('?');
  let expanded: string[];
  if (q === -1) {
    if (!splitConcrete(lower)) return { ok: false, reason: `Topic ${topic} is not a valid topic` };
    expanded = [lower];
  } else {
    if (topic.length > MAX_COMBINED_TOPIC_LENGTH) {
      return {
        ok: false,
        reason: `Combined topic is longer than ${MAX_COMBINED_TOPIC_LENGTH} characters`,
      };
    }
    const prefix = lower.slice(0, q);
    const suffixes = lower.slice(q + 1).split('&');
    const family = PREFIXES.find((p) => p.re.test(prefix));
    if (!family) return { ok: false, reason: `Topic ${topic} is not a valid topic` };
    const bad = suffixes.filter((s) => !family.suffixes.has(s));
    if (bad.length > 0 || suffixes.length === 0) {
      return { ok: false, reason: `Topic ${topic} has invalid parts: ${bad.join(', ') || '(none)'}` };
    }
    expanded = [...new Set(suffixes.map((s) => `${prefix}.${s}`))];
  }
  const wfm = [...new Set(expanded.map(wfmPermission).filter((p): p is string => p !== undefined))];
  return { ok: true, expanded, wfmPermissions: wfm };
}

/** `v2.system.*` topics reach every socket without a subscription (reference §2.4). */
export function isSystemTopic(lowerTopic: string): boolean {
  return lowerTopic.startsWith('v2.system.');
}
