/**
 * The contract between the simulated platform (the "world": state, ACD, WFM, scenario timeline) and the
 * transport that serves it (HTTP REST, OAuth, notification channels and sockets, control API, faults).
 *
 * The world is deterministic: given a scenario, a seed and a clock it produces the same event sequence.
 * It knows the wire shapes of the reference (REST bodies and notification event bodies) and returns them ready
 * to serialise. The transport never mutates world state except through the commands below.
 */

/** Title-case system presence as REST shows it (reference §3.10). Notifications use upper-snake. */
export type SystemPresence =
  'Available' | 'Away' | 'Busy' | 'Offline' | 'Idle' | 'On Queue' | 'Meal' | 'Training' | 'Meeting' | 'Break';

export type RoutingStatusValue = 'OFF_QUEUE' | 'IDLE' | 'INTERACTING' | 'NOT_RESPONDING' | 'COMMUNICATING';

/** A notification the world wants published. `topicName` is concrete, e.g. `v2.users.<id>.presence`. */
export interface WorldEvent {
  readonly topicName: string;
  readonly eventBody: Record<string, unknown>;
  /** `metadata.CorrelationId`; drawn from the seeded RNG. */
  readonly correlationId: string;
  /** The agent the event concerns (for per-agent delivery faults), when there is one. */
  readonly agentId?: string;
}

/** An error the REST layer turns into an ErrorBody (reference §5.1). */
export class SimApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageParams: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SimApiError';
  }
}

export interface OAuthClientSpec {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Token lifetime in seconds (`expires_in`). */
  readonly tokenLifetimeSec: number;
  /** Permission groups granted; a client without `wfm` gets 403 on WFM REST and Rejected WFM topics. */
  readonly permissions: ReadonlyArray<'wfm' | 'presence' | 'routing' | 'telephony' | 'directory'>;
  /** Requests per minute over all the client's tokens before 429; absent: no per-client limit. */
  readonly rateLimitPerMinute?: number;
}

/**
 * Delivery and transport faults. The world only schedules them (from the scenario timeline) and hands them to the
 * transport through `onTransportFault`; the transport carries them out. `durationMs` absent = until removed.
 */
export type TransportFault =
  | {
      kind: 'events';
      mode: 'drop' | 'delay' | 'duplicate' | 'reorder';
      /** Case-insensitive substring of the topic name, e.g. `.presence` or `workforcemanagement`. */
      topic?: string;
      agentId?: string;
      /** 0..1, default 1. Drawn from the seeded RNG. */
      probability?: number;
      /** For `delay` and `reorder`: how long events are held back. */
      delayMs?: number;
      durationMs?: number;
    }
  | { kind: 'socket-kill'; channelId?: string }
  | { kind: 'heartbeats-stop'; channelId?: string; durationMs?: number }
  | { kind: 'socket-closing'; channelId?: string; closeAfterMs?: number }
  | { kind: 'channel-expire'; channelId?: string }
  | { kind: 'token-revoke'; clientId?: string }
  /**
   * Writes frames a client must survive: malformed JSON, an unknown topic and a schema violation (for `agentId`,
   * default a made-up user), or the given raw `frames`.
   */
  | { kind: 'garbage'; channelId?: string; agentId?: string; frames?: string[] }
  | { kind: 'rate-limit-storm'; clientId?: string; durationMs?: number; retryAfterSec?: number }
  | { kind: 'server-errors'; status?: 500 | 502 | 503 | 504; probability?: number; durationMs?: number };

/** World-level actions: what agents, supervisors, external platforms and platform faults do. */
export type WorldAction =
  | {
      type: 'set-presence';
      agentId: string;
      presence: SystemPresence | { definitionId: string };
      by?: string;
    }
  | { type: 'set-routing-status'; agentId: string; status: RoutingStatusValue; by?: string }
  | { type: 'associate-station'; agentId: string }
  | { type: 'disassociate-station'; agentId: string }
  /** The WebRTC station dies silently: it stays associated, the platform does not know, alerts are missed. */
  | { type: 'kill-station'; agentId: string }
  | { type: 'revive-station'; agentId: string }
  | { type: 'join-queue'; agentId: string; queueId: string }
  | { type: 'leave-queue'; agentId: string; queueId: string }
  /** Removes the agent from the queue's members (leave-queue only deactivates the membership). */
  | { type: 'remove-from-queue'; agentId: string; queueId: string }
  | { type: 'offer-call'; queueId: string; agentId?: string }
  | { type: 'end-call'; agentId: string }
  /** The agent holds (`held: true`) or resumes their connected call; 400 when they have none. */
  | { type: 'hold-call'; agentId: string; held: boolean }
  /** Desync faults on the platform itself. */
  | { type: 'presence-routing-decouple'; agentId: string; enabled: boolean }
  | { type: 'sticky-not-responding'; agentId: string; enabled: boolean }
  /** External platform presses a state and another actor reverts it after `revertAfterMs` (systems fighting). */
  | { type: 'revert-presence'; agentId: string; enabled: boolean; revertAfterMs?: number }
  /** WFM: schedule edits, swaps, publishes and time off. Times are ISO instants or MU-local `YYYY-MM-DDTHH:mm`. */
  | { type: 'edit-shift'; agentId: string; shiftId: string; activities: ScheduleActivitySpec[] }
  | { type: 'swap-shifts'; agentIdA: string; agentIdB: string; date: string }
  | { type: 'publish-schedule'; muId: string; weekStart: string; agentIds?: string[] }
  | {
      type: 'request-time-off';
      agentId: string;
      status: 'PENDING' | 'APPROVED' | 'DENIED' | 'CANCELED';
      fullDayDates?: string[];
      partialStart?: string;
      minutes?: number;
      requestId?: string;
    }
  | { type: 'set-out-of-office'; agentId: string; active: boolean }
  | { type: 'fault'; fault: TransportFault }
  | { type: 'firehose'; eventsPerSecond: number };

export interface ScheduleActivitySpec {
  /** ISO instant, or MU-local wall time `YYYY-MM-DDTHH:mm` in the MU's IANA zone. */
  readonly start: string;
  readonly lengthMinutes: number;
  readonly activityCodeId: string;
}

/** One interaction an agent is part of, as the request log records it. The simulator models ACD voice calls. */
export interface AgentInteraction {
  conversationId: string;
  media: 'call';
  state: 'alerting' | 'connected' | 'held' | 'acw';
}

/** Ground truth of one agent, as `GET /__sim/agents` returns it. Timestamps are wire ISO instants. */
export interface AgentTruth {
  id: string;
  name: string;
  divisionId: string;
  presence: { definitionId: string; systemPresence: SystemPresence; modifiedDate: string };
  routingStatus: { status: RoutingStatusValue; startTime: string };
  station: { id: string; associated: boolean; healthy: boolean } | null;
  activeQueueIds: string[];
  /** Number of active ACD interactions (alerting, connected or in wrap-up). */
  activeInteractions: number;
  outOfOffice: boolean;
  managementUnitId: string | null;
  /** Scheduled activity now, or null when unscheduled or WFM is absent. */
  scheduledActivity: { category: string; activityCodeId: string } | null;
  adherenceState: string | null;
  pendingTimeOffRequests: number;
  /** Who made the last presence and routing-status changes (OAuth client id, `agent-client`, `acd`, ...). */
  lastChangedBy?: { presence: string; routingStatus: string };
}

export interface UsersQuery {
  pageSize: number;
  pageNumber: number;
  ids?: readonly string[];
  expand: ReadonlySet<string>;
  state?: string;
}

/** The simulated platform. Every REST-shaped return value follows reference §4. */
export interface SimWorld {
  /** Wire clock: epoch ms of "now" (anchored scenario start plus elapsed simulated time). */
  now(): number;
  readonly orgId: string;
  readonly oauthClients: readonly OAuthClientSpec[];
  /** The scenario's answer form of the MU schedule search (`platform.scheduleSearchAnswer`). */
  readonly scheduleSearchAnswer: 'sync' | 'download';
  /** Most items one bulk presence write takes (`platform.presenceBulkMax`). */
  readonly presenceBulkMax: number;

  /** Starts the scheduler against the real clock (scaled by speed). Virtual-clock worlds use `advance`. */
  start(): void;
  /** Runs every scheduled step up to `ms` of simulated time from now (virtual clock only). */
  advance(ms: number): void;
  stop(): void;

  onEvent(listener: (event: WorldEvent) => void): () => void;
  onTransportFault(listener: (fault: TransportFault) => void): () => void;

  // REST reads
  /** `GET /api/v2/users/{id}`; undefined when unknown. */
  getUser(userId: string, expand: ReadonlySet<string>): Record<string, unknown> | undefined;
  /** `GET /api/v2/users` paging envelope (`UserEntityListing`). */
  listUsers(query: UsersQuery): Record<string, unknown>;
  presenceDefinitions(): Record<string, unknown>[];
  getUserPresence(userId: string): Record<string, unknown>;
  getRoutingStatus(userId: string): Record<string, unknown>;
  getUserStation(userId: string): Record<string, unknown>;
  getUserQueues(userId: string, joined?: boolean): Record<string, unknown>;
  getQueueMembers(queueId: string, pageSize: number, pageNumber: number): Record<string, unknown>;
  getAgentManagementUnit(userId: string): Record<string, unknown>;
  listManagementUnits(): Record<string, unknown>;
  getManagementUnitUsers(muId: string): Record<string, unknown>;
  searchAgentSchedules(
    muId: string,
    body: { startDate: string; endDate: string; userIds?: string[] },
  ): Record<string, unknown>;
  getActivityCodes(buId: string): Record<string, unknown>;
  /** `GET .../businessunits/{buId}`; `settings` (time zone, start day of week) only with `expand=settings`. */
  getBusinessUnit(buId: string, expandSettings: boolean): Record<string, unknown>;
  getAdherence(userIds: readonly string[]): Record<string, unknown>[];
  getManagementUnitAdherence(muId: string): Record<string, unknown>;
  getTimeOffRequests(muId: string, userId: string): Record<string, unknown>;

  // REST writes (the actor is the OAuth client id); they throw SimApiError on bad input
  patchPresence(
    userId: string,
    body: { presenceDefinition?: { id?: string }; message?: string; primary?: boolean },
    by: string,
  ): Record<string, unknown>;
  putPresencesBulk(
    items: ReadonlyArray<{
      id?: string;
      presenceDefinition?: { id?: string };
      source?: string;
      message?: string;
    }>,
    by: string,
  ): Record<string, unknown>[];
  putRoutingStatus(userId: string, body: { status?: string }, by: string): Record<string, unknown>;
  deleteStationAssociation(userId: string, by: string): void;

  // control
  groundTruth(): AgentTruth[];
  act(action: WorldAction): void;
  /** The interactions the agent is part of now (alerting, connected, held or in wrap-up); empty for unknown ids. */
  agentInteractions(userId: string): AgentInteraction[];
  /** Whether the user id exists (REST 404 vs 200). */
  hasUser(userId: string): boolean;
  hasQueue(queueId: string): boolean;
  hasManagementUnit(muId: string): boolean;
}

export interface CreateWorldOptions {
  /** A parsed, validated scenario (see `scenario/`). */
  scenario: unknown;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Time compression (simulated ms per real ms); only with the real clock. Default: the scenario's, else 1. */
  speed?: number;
  /** `real`: driven by timers; `virtual`: driven only by `advance()` (tests, determinism). */
  clock: 'real' | 'virtual';
  /** Wire instant the scenario's simulated start maps to. Default: `Date.now()` at creation. */
  anchorMs?: number;
}
