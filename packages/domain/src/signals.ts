import { canonicalPlannedSchedule, plannedScheduleText } from './planned-schedule.js';
import { canonicalTimeOff, timeOffIntervalsText } from './time-off.js';
import type { ActivityCategory, AdherenceState, RoutingStatus, SystemPresence } from './presence.js';
import type { ScheduleSegment } from './schedule-segments.js';

/** Where a signal value came from: a notification, a REST re-read, or a correction lockstep applied itself. */
export type SignalSource = 'event' | 'resync' | 'correction';

/**
 * Presence as the platform reports it: the normalised system presence plus the (org) definition id, and the
 * presence source that set it when known (`PURECLOUD` for Genesys Cloud itself, or an integration's source id).
 * Only the primary presence is a signal; presences of non-primary sources never reach the domain.
 */
export interface PresenceValue {
  readonly system: SystemPresence;
  readonly definitionId: string | null;
  /** Who set the presence (the presence `source`), when the platform said. */
  readonly source?: string;
}

/** The agent's associated station (`stationId: null` means no station is associated). */
export interface StationValue {
  readonly stationId: string | null;
}

/** Health of the associated station as reported (e.g. a persistent-connection or softphone event). */
export type StationHealth = 'ok' | 'dead' | 'unknown';

/**
 * Counts of active (alerting, connected or held) and after-call-work interactions: every media, contact-center and
 * enterprise (non-ACD) alike, since any interaction keeps the agent busy.
 */
export interface InteractionCounts {
  readonly active: number;
  readonly acw: number;
}

/** What WFM says the agent should be doing now, with the real-time adherence verdict. */
export interface ScheduledActivity {
  readonly category: ActivityCategory;
  readonly activityCodeId: string | null;
  readonly adherence: AdherenceState | null;
}

/** One approved time off as instants (epoch ms, `start` inclusive, `end` exclusive). */
export interface TimeOffInterval {
  readonly start: number;
  readonly end: number;
}

/**
 * A pending (not yet approved) time-off request as instants, with a wall-clock text made at the edge in the
 * management unit's zone (e.g. `Sat 28 Nov 08:00–16:00 CST`) so findings can name it without time-zone data.
 */
export interface PendingTimeOff {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Time-off state as read: whether an approved time off covered the read instant, how many requests are pending,
 * and the approved time off as instants (computed at the edge in the management unit's time zone; sorted,
 * non-overlapping). When `intervals` is present, rules ask `timeOffActiveAt` instead of `active`, so time off
 * starts and ends on time between reads.
 */
export interface TimeOffValue {
  readonly active: boolean;
  readonly pending: number;
  readonly intervals?: readonly TimeOffInterval[];
  /** Pending requests as intervals (nearest first), when the edge read them. */
  readonly pendingIntervals?: readonly PendingTimeOff[];
}

/** How a schedule changed, as far as the platform says ([UNVERIFIED]: see docs/operations.md, Schedules). */
export type ScheduleChangeKind = 'edit' | 'swap' | 'publish';

/**
 * The agent's published schedule as segments with UTC instants (computed at the edge in the business unit's
 * zone), and when and how it last changed (from schedule events), when known. Kept apart from `schedule`, which
 * carries Genesys's real-time adherence view.
 */
export interface PlannedScheduleValue {
  readonly segments: readonly ScheduleSegment[];
  readonly changedAt: number | null;
  readonly change: ScheduleChangeKind | null;
}

/** Value type of every signal, by name. */
export interface SignalValues {
  readonly presence: PresenceValue;
  readonly routing: RoutingStatus;
  readonly station: StationValue;
  readonly stationHealth: StationHealth;
  readonly interactions: InteractionCounts;
  readonly schedule: ScheduledActivity;
  readonly timeOff: TimeOffValue;
  readonly outOfOffice: boolean;
  readonly plannedSchedule: PlannedScheduleValue;
}
export type SignalName = keyof SignalValues;

/** Every signal name, in a fixed order (evidence and comparisons iterate in this order). */
export const SIGNAL_NAMES: readonly SignalName[] = [
  'presence',
  'routing',
  'station',
  'stationHealth',
  'interactions',
  'schedule',
  'timeOff',
  'outOfOffice',
  'plannedSchedule',
];

/**
 * One observation of one signal. `at` is the platform's own timestamp for the value in epoch ms (presence
 * `modifiedDate`, `routingStatus.startTime`, adherence `adherenceChangeTime`, ...): the instant the value began.
 * When the payload carries no such timestamp (station, conversation counts, out of office, or a platform field
 * left out), `at` is only when the value was observed (receive or read time) and `observed` is `true`: such an
 * update of an unchanged value refreshes when the value was last seen and keeps since when it holds.
 */
export type SignalUpdate = {
  [K in SignalName]: {
    readonly signal: K;
    readonly value: SignalValues[K];
    readonly at: number;
    readonly source: SignalSource;
    readonly observed?: boolean;
  };
}[SignalName];

/** A signal name with a value of that signal. */
export type SignalEntry = {
  [K in SignalName]: { readonly signal: K; readonly value: SignalValues[K] };
}[SignalName];

/**
 * A merged signal: the winning value, since when it holds (`at`), when it was last observed (`seenAt`, never
 * before `at`) and the source of that latest observation. Rules, grace periods and station resets read `at`;
 * staleness is judged against `seenAt`.
 */
export interface Stamped<T> {
  readonly value: T;
  /** Since when the value holds: its platform timestamp, or the first observation of the unchanged value. */
  readonly at: number;
  /** The latest observation of the value (a re-read or repeated event moves this, not `at`). */
  readonly seenAt: number;
  readonly source: SignalSource;
}

/** The merged view of every signal known for an agent; a missing entry means "never observed". */
export type AgentSignals = { readonly [K in SignalName]?: Stamped<SignalValues[K]> };

const SOURCE_RANK: Readonly<Record<SignalSource, number>> = { correction: 0, event: 1, resync: 2 };

/** A stable, order-independent text form of a value, used for tie-breaks, evidence and equality. */
export function signalValueText(update: SignalEntry): string {
  switch (update.signal) {
    case 'presence':
      return `${update.value.system}/${update.value.definitionId ?? '-'}${update.value.source === undefined ? '' : `@${update.value.source}`}`;
    case 'station':
      return update.value.stationId ?? 'none';
    case 'interactions':
      return `active=${update.value.active},acw=${update.value.acw}`;
    case 'schedule':
      return `${update.value.category}/${update.value.activityCodeId ?? '-'}/${update.value.adherence ?? '-'}`;
    case 'timeOff':
      return `active=${update.value.active},pending=${update.value.pending}${timeOffIntervalsText(update.value)}`;
    case 'outOfOffice':
      return update.value ? 'true' : 'false';
    case 'plannedSchedule':
      return plannedScheduleText(update.value);
    default:
      return update.value;
  }
}

// Rebuilds object values with a fixed key set and order so that merged state compares and serialises
// identically whatever shape the producer used.
function canonicalValue(update: SignalUpdate): SignalUpdate['value'] {
  switch (update.signal) {
    case 'presence':
      return update.value.source === undefined
        ? { system: update.value.system, definitionId: update.value.definitionId ?? null }
        : {
            system: update.value.system,
            definitionId: update.value.definitionId ?? null,
            source: update.value.source,
          };
    case 'station':
      return { stationId: update.value.stationId ?? null };
    case 'interactions':
      return { active: update.value.active, acw: update.value.acw };
    case 'schedule':
      return {
        category: update.value.category,
        activityCodeId: update.value.activityCodeId ?? null,
        adherence: update.value.adherence ?? null,
      };
    case 'timeOff':
      return canonicalTimeOff(update.value);
    case 'plannedSchedule':
      return canonicalPlannedSchedule(update.value);
    default:
      return update.value;
  }
}

/**
 * Total order on observations of one signal: later time wins; on equal time the greater source rank wins (a REST
 * read reports the state that stands after every change stamped with that time, so it settles two events stamped
 * in the same millisecond), then the greater value text. The merged value is always the maximum under this order
 * (a merged signal is placed by `seenAt`, its latest observation), so the merged value of any set of updates is
 * the same whatever their order, duplication or interleaving.
 */
function compare(a: { at: number; text: string; source: SignalSource }, b: typeof a): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.source !== b.source) return SOURCE_RANK[a.source] - SOURCE_RANK[b.source];
  if (a.text !== b.text) return a.text < b.text ? -1 : 1;
  return 0;
}

/**
 * Merges one update into the signals. Pure; returns the SAME object when the update is older than (or equal
 * to) the latest observation of that signal, so callers can detect "nothing changed" by identity.
 *
 * Since and last seen are kept apart: an update with a platform timestamp states when its value began, so it sets
 * both; an `observed` update (no platform timestamp) of the unchanged value only moves `seenAt` and keeps `at`,
 * so a safety resync or a repeated event never restarts a grace, a station reset or a finding's `since`.
 */
export function mergeSignal(signals: AgentSignals, update: SignalUpdate): AgentSignals {
  const current = signals[update.signal] as Stamped<SignalValues[SignalName]> | undefined;
  let currentText: string | undefined;
  // Keeps the maximum under `compare`; value texts are only built for a full tie on time and source.
  if (current !== undefined && update.at <= current.seenAt) {
    if (update.at < current.seenAt) return signals;
    currentText = signalValueText({ signal: update.signal, value: current.value } as SignalEntry);
    const known = { at: current.seenAt, text: currentText, source: current.source };
    if (compare({ at: update.at, text: signalValueText(update), source: update.source }, known) <= 0) {
      return signals;
    }
  }
  const next: { [K in SignalName]?: unknown } = { ...signals };
  if (
    current !== undefined &&
    update.observed === true &&
    (currentText ?? signalValueText({ signal: update.signal, value: current.value } as SignalEntry)) ===
      signalValueText(update)
  ) {
    next[update.signal] = { value: current.value, at: current.at, seenAt: update.at, source: update.source };
  } else {
    next[update.signal] = {
      value: canonicalValue(update),
      at: update.at,
      seenAt: update.at,
      source: update.source,
    };
  }
  return next as AgentSignals;
}
