export {
  type CreateGenesysApiDeps,
  createGenesysApi,
  type GenesysApi,
  type GenesysApiOptions,
} from './api.js';
export type {
  NotificationChannel,
  NotificationsApi,
  RejectedTopic,
  SubscribeOptions,
  SubscriptionResult,
} from './api-notifications.js';
export type { Sent } from './api-call.js';
export type {
  BulkPresenceItem,
  ListUsersOptions,
  OrganizationPresence,
  QueueMember,
  RoutingStatusBody,
  UcUserPresence,
  User,
  UserEntityListing,
  UserPresence,
  UserQueue,
  UsersApi,
  UserStations,
} from './api-users.js';
export { USER_EXPAND } from './api-users.js';
export type {
  AgentManagementUnitReference,
  BuAsyncAgentSchedulesSearchResponse,
  BusinessUnitActivityCode,
  ScheduleSearch,
  TimeOffRequestResponse,
  UserReference,
  UserScheduleAdherence,
  WfmApi,
} from './api-wfm.js';
export {
  createGenesysAuth,
  type GenesysAuth,
  type GenesysAuthOptions,
  type RenewalReason,
  renewalMargin,
  type TokenRenewed,
} from './auth.js';
export { type BackoffOptions, backoffDelay } from './backoff.js';
export {
  type ChannelPool,
  type ChannelPoolOptions,
  type ChannelPoolStats,
  type CreateChannelPoolDeps,
  createChannelPool,
  type DecodeFailure,
  type EventContext,
} from './channel-pool.js';
export { type Clock, sleep, systemClock, type TimerHandle } from './clock.js';
export { regionHosts, resolveRegion } from './regions.js';
export {
  codeForStatus,
  GenesysError,
  type GenesysErrorCode,
  type GenesysErrorDetails,
  isGenesysError,
} from './errors.js';
export { createManualClock, type ManualClock } from './manual-clock.js';
export {
  createPacer,
  type PacedResult,
  type Pacer,
  type PacerOptions,
  type PacerStats,
  type RateLimitInfo,
  type RunOptions,
} from './pacer.js';
export type { SlotStats } from './pool/channel-slot.js';
export { type ShardPlan, type ShardPlanInput, planShards } from './pool/shard-planner.js';
export type { GapNotice, GapReason, SlotTimings } from './pool/types.js';
export { normalizeSystemPresence } from './schemas/common.js';
export { decodeNotification } from './schemas/decode.js';
export type {
  ActivityEvent,
  AdherenceEvent,
  AdherenceState,
  ChannelMetadataEvent,
  ConversationEvent,
  ConversationSummaryEvent,
  DecodeFailureReason,
  DecodeResult,
  GenesysEvent,
  GenesysEventKind,
  InteractionCounts,
  ManagementUnitSchedulesChangedEvent,
  OutOfOfficeEvent,
  PresenceEvent,
  QueueMembershipEvent,
  RoutingStatus,
  RoutingStatusEvent,
  ScheduleChangedEvent,
  SocketClosingEvent,
  StationEvent,
  SystemPresence,
  TimeOffRequestEvent,
  TimeOffStatus,
} from './schemas/events.js';
export {
  createSdkClient,
  type GenesysTarget,
  type LoginResult,
  parseRateLimit,
  retryAfterMs,
  type SdkClient,
  type SdkClientOptions,
  toGenesysError,
} from './sdk-client.js';
export {
  AGENT_WFM_SUFFIXES,
  type AgentTopicOptions,
  agentUnit,
  combineTopics,
  isWfmTopic,
  MAX_TOPIC_LENGTH,
  managementUnitUnit,
  queueUnit,
  type SubscriptionUnit,
  topicUnitKey,
  type UnitKind,
  unitKey,
  unitTopicCount,
} from './topics.js';
