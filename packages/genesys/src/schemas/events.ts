/**
 * Decoded notification events: what the rest of lockstep sees of the Genesys notification stream.
 * Discriminated on `kind`; timestamps are epoch milliseconds; system presences are UPPER_SNAKE.
 */

/** System presence, normalised to the notification spelling (reference §3.10). */
export type SystemPresence =
  'AVAILABLE' | 'AWAY' | 'BUSY' | 'OFFLINE' | 'IDLE' | 'ON_QUEUE' | 'MEAL' | 'TRAINING' | 'MEETING' | 'BREAK';

export type RoutingStatus = 'OFF_QUEUE' | 'IDLE' | 'INTERACTING' | 'NOT_RESPONDING' | 'COMMUNICATING';

export type AdherenceState =
  'InAdherence' | 'OutOfAdherence' | 'Unscheduled' | 'Unknown' | 'Ignored' | 'Explained';

export type TimeOffStatus = 'PENDING' | 'APPROVED' | 'DENIED' | 'CANCELED';

/** Fields every decoded event carries. */
export interface EventBase {
  /** The topic as received (original casing). */
  readonly topicName: string;
  /** `metadata.CorrelationId`, when present. */
  readonly correlationId?: string;
}

export interface PresenceEvent extends EventBase {
  readonly kind: 'presence';
  readonly agentId: string;
  readonly systemPresence: SystemPresence;
  readonly definitionId: string;
  readonly primary?: boolean;
  readonly source?: string;
  readonly message?: string;
  readonly modifiedAt?: number;
}

export interface RoutingStatusEvent extends EventBase {
  readonly kind: 'routingStatus';
  readonly agentId: string;
  readonly status: RoutingStatus;
  readonly startedAt?: number;
}

/** `v2.users.{id}.activity`: presence, routing status and queue activation in one snapshot. */
export interface ActivityEvent extends EventBase {
  readonly kind: 'activity';
  readonly agentId: string;
  readonly routingStatus?: { readonly status: RoutingStatus; readonly startedAt?: number };
  readonly presence?: {
    readonly systemPresence: SystemPresence;
    readonly definitionId: string;
    readonly modifiedAt?: number;
  };
  readonly outOfOffice?: boolean;
  readonly activeQueueIds?: readonly string[];
}

export interface StationEvent extends EventBase {
  readonly kind: 'station';
  readonly agentId: string;
  /** Associated station, or null when the agent has none. */
  readonly stationId: string | null;
  readonly stationName?: string;
}

/** `v2.users.{id}.conversations`, reduced to what the agent's own participant(s) are doing. */
export interface ConversationEvent extends EventBase {
  readonly kind: 'conversation';
  readonly agentId: string;
  readonly conversationId: string;
  /** The agent is alerting or connected on some media. */
  readonly active: boolean;
  /** Some media of the agent is alerting/offering. */
  readonly alerting: boolean;
  /** The agent's media ended and after-call work is pending. */
  readonly acw: boolean;
  readonly queueId?: string;
}

export interface InteractionCounts {
  readonly active: number;
  readonly acw: number;
}

/** `v2.users.{id}.conversationsummary`, summed over media types. */
export interface ConversationSummaryEvent extends EventBase {
  readonly kind: 'conversationSummary';
  readonly agentId: string;
  readonly contactCenter: InteractionCounts;
  readonly enterprise: InteractionCounts;
}

export interface OutOfOfficeEvent extends EventBase {
  readonly kind: 'outOfOffice';
  readonly agentId: string;
  readonly active: boolean;
  readonly indefinite?: boolean;
  readonly startAt?: number;
  readonly endAt?: number;
}

/** Real-time adherence from the user topic or a management-unit topic. */
export interface AdherenceEvent extends EventBase {
  readonly kind: 'adherence';
  readonly agentId: string;
  /** Which subscription delivered it. */
  readonly via: 'user' | 'managementUnit';
  readonly managementUnitId?: string;
  readonly adherenceState: AdherenceState;
  readonly scheduledActivityCategory?: string;
  readonly scheduledActivityCodeId?: string;
  readonly actualActivityCategory?: string;
  /** Normalised to UPPER_SNAKE when it is a known system presence; otherwise left out. */
  readonly systemPresence?: SystemPresence;
  readonly routingStatus?: string;
  readonly impact?: string;
  readonly isOutOfOffice?: boolean;
  readonly changedAt?: number;
  readonly presenceUpdatedAt?: number;
  readonly removedFromManagementUnit?: boolean;
}

/** `v2.users.{id}.workforcemanagement.schedules`: the schedule changed; details must be read over REST. */
export interface ScheduleChangedEvent extends EventBase {
  readonly kind: 'scheduleChanged';
  readonly agentId: string;
  readonly startAt?: number;
  readonly endAt?: number;
  readonly updates: ReadonlyArray<{ readonly type: string; readonly shiftStartAts: readonly number[] }>;
}

/** `v2.workforcemanagement.managementunits.{id}.agentschedules.changed`. */
export interface ManagementUnitSchedulesChangedEvent extends EventBase {
  readonly kind: 'managementUnitSchedulesChanged';
  readonly managementUnitId: string;
  readonly agents: ReadonlyArray<{
    readonly agentId: string;
    readonly startAt?: number;
    readonly endAt?: number;
  }>;
}

export interface TimeOffRequestEvent extends EventBase {
  readonly kind: 'timeOffRequest';
  readonly agentId: string;
  readonly requestId: string;
  readonly status: TimeOffStatus;
  readonly substatus?: string;
  readonly isFullDayRequest?: boolean;
  readonly activityCodeId?: string;
  /** MU-local dates `YYYY-MM-DD` of full-day requests. */
  readonly fullDayDates?: readonly string[];
  readonly partialDayStartAts?: readonly number[];
  readonly dailyDurationMinutes?: number;
}

/** `v2.routing.queues.{id}.users`: an agent joined or left a queue. */
export interface QueueMembershipEvent extends EventBase {
  readonly kind: 'queueMembership';
  readonly queueId: string;
  readonly agentId: string;
  readonly joined: boolean;
}

/** `channel.metadata`: heartbeat or pong (anything else is `other`). */
export interface ChannelMetadataEvent extends EventBase {
  readonly kind: 'channelMetadata';
  readonly signal: 'heartbeat' | 'pong' | 'other';
  readonly message: string;
}

/** `v2.system.socket_closing`: the server will close this socket soon. */
export interface SocketClosingEvent extends EventBase {
  readonly kind: 'socketClosing';
  readonly channelId?: string;
  readonly message?: string;
  readonly reason?: string;
}

export type GenesysEvent =
  | PresenceEvent
  | RoutingStatusEvent
  | ActivityEvent
  | StationEvent
  | ConversationEvent
  | ConversationSummaryEvent
  | OutOfOfficeEvent
  | AdherenceEvent
  | ScheduleChangedEvent
  | ManagementUnitSchedulesChangedEvent
  | TimeOffRequestEvent
  | QueueMembershipEvent
  | ChannelMetadataEvent
  | SocketClosingEvent;

export type GenesysEventKind = GenesysEvent['kind'];

export type DecodeFailureReason = 'malformed-json' | 'unknown-topic' | 'schema';

export type DecodeResult =
  | { readonly ok: true; readonly event: GenesysEvent }
  | {
      readonly ok: false;
      readonly reason: DecodeFailureReason;
      readonly topic?: string;
      readonly detail: string;
    };
