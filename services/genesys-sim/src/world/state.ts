import type { ActivityCategory, AgentBehaviour } from '../scenario/index.js';
import type { RoutingStatusValue } from './contract.js';
import type { PresenceDefinition } from './presence-definitions.js';

/** One ACD call (a conversation with a customer and, once offered, an agent). */
export interface Call {
  readonly id: string;
  readonly queueId: string;
  readonly customerParticipantId: string;
  readonly customerCallId: string;
  readonly address: string;
  /** Wire ms the call entered the queue. */
  readonly enteredAt: number;
  agentId: string | null;
  agentParticipantId: string;
  agentCallId: string;
  state: 'waiting' | 'alerting' | 'connected' | 'acw' | 'ended';
  /** A connected call the agent put on hold (the call stays `connected`, as on the platform's wire). */
  held: boolean;
  offeredAt: number;
  connectedAt: number;
  disconnectedAt: number;
  acwEndAt: number;
  /** Scheduler handle of the pending alert outcome / call end / wrap-up end / abandon. */
  pending: number;
}

export interface Station {
  readonly id: string;
  readonly name: string;
  associated: boolean;
  /** False when the softphone died silently (still associated on the platform). */
  healthy: boolean;
  associatedDate: number;
}

export interface ScheduledActivity {
  /** Wire ms. */
  readonly start: number;
  readonly lengthMinutes: number;
  readonly activityCodeId: string;
}

export interface Shift {
  readonly id: string;
  /** MU-local date of the shift start, `YYYY-MM-DD`. */
  localDate: string;
  activities: ScheduledActivity[];
  manuallyEdited: boolean;
  /** Week (MU-local Monday, `YYYY-MM-DD`) the shift belongs to. */
  weekDate: string;
}

export interface TimeOffRequest {
  readonly id: string;
  readonly agentId: string;
  readonly muId: string;
  status: 'PENDING' | 'APPROVED' | 'DENIED' | 'CANCELED';
  readonly fullDayDates: string[];
  /** Wire ms of each partial-day start. */
  readonly partialStarts: number[];
  readonly minutes: number;
  readonly activityCodeId: string;
  readonly notes: string;
  readonly submittedAt: number;
  modifiedAt: number;
  modifiedBy: string;
}

export interface AdherenceSnapshot {
  state: 'InAdherence' | 'OutOfAdherence' | 'Unscheduled';
  scheduledCategory: ActivityCategory | 'Unscheduled';
  scheduledCodeId: string | null;
  actualCategory: ActivityCategory | 'Unscheduled';
  changedAt: number;
}

/** Precomputed topic names of one agent (built once, reused for every event). */
export interface AgentTopics {
  readonly presence: string;
  readonly routingStatus: string;
  readonly activity: string;
  readonly station: string;
  readonly conversations: string;
  readonly conversationsummary: string;
  readonly outofoffice: string;
  readonly adherence: string;
  readonly schedules: string;
  readonly timeoffrequests: string;
}

/** Mutable platform state of one agent; owned by the world and changed only through `platform.ts` and friends. */
export interface AgentState {
  readonly id: string;
  readonly name: string;
  readonly divisionId: string;
  readonly groupId: string | null;
  readonly topics: AgentTopics;
  presence: PresenceDefinition;
  presenceMessage: string;
  presenceModified: number;
  presenceBy: string;
  routing: RoutingStatusValue;
  routingStart: number;
  routingBy: string;
  /** Whether the routing layer believes the agent is On Queue (diverges from presence while decoupled). */
  routingOnQueue: boolean;
  station: Station | null;
  /** Queue id → joined, in membership order. */
  readonly memberships: Map<string, boolean>;
  activeQueueIds: string[];
  activeQueuesChanged: number;
  outOfOffice: { active: boolean; modified: number };
  muId: string | null;
  call: Call | null;
  /** Wire ms since which the agent is IDLE (for longest-idle routing). */
  idleSince: number;
  decoupled: boolean;
  stickyNotResponding: boolean;
  revert: { enabled: boolean; afterMs: number };
  readonly behaviour: AgentBehaviour;
  /** Scheduler handle of a pending recovery from NOT_RESPONDING, or 0. */
  recoverHandle: number;
  shifts: Shift[];
  scheduleChangedAt: number | null;
  readonly timeOff: TimeOffRequest[];
  adherence: AdherenceSnapshot | null;
  /** Bumped whenever the schedule changes, to discard stale boundary steps. */
  scheduleVersion: number;
}

export interface QueueState {
  readonly id: string;
  readonly name: string;
  readonly divisionId: string;
  callsPerMinute: number;
  readonly alertingTimeoutMs: number;
  readonly handleMeanMs: number;
  readonly wrapupMs: number;
  /** Members in join order. */
  readonly members: AgentState[];
  /** Calls waiting for an agent, oldest first. */
  readonly waiting: Call[];
  readonly usersTopic: string;
}

/** Builds the per-agent topic names once. */
export function agentTopics(id: string): AgentTopics {
  const p = `v2.users.${id}.`;
  return {
    presence: `${p}presence`,
    routingStatus: `${p}routingStatus`,
    activity: `${p}activity`,
    station: `${p}station`,
    conversations: `${p}conversations`,
    conversationsummary: `${p}conversationsummary`,
    outofoffice: `${p}outofoffice`,
    adherence: `${p}workforcemanagement.adherence`,
    schedules: `${p}workforcemanagement.schedules`,
    timeoffrequests: `${p}workforcemanagement.timeoffrequests`,
  };
}
