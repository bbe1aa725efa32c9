export {
  type AgentIndex,
  type AgentListPage,
  type AgentListQuery,
  agentTags,
  createAgentIndex,
  type ListPosition,
  repairAgentIndex,
  type SyncOptions,
} from './agent-index.js';
export {
  agentOfNameKey,
  type AgentProfileDoc,
  type AgentProfiles,
  createAgentProfiles,
  MAX_NAME_LENGTH,
  membershipTags,
  nameSortKey,
} from './agent-profiles.js';
export { EXTRA_TAG_KINDS, type ExtraTagKind, tagOf } from './tags.js';
export {
  type AgentStore,
  type AgentStoreOptions,
  createAgentStore,
  MAX_DETAIL_LENGTH,
} from './agent-store.js';
export {
  type AttributesStore,
  type AttributesStoreOptions,
  createAttributesStore,
  type FindingRef,
} from './attributes.js';
export {
  type Command,
  type CommandQueue,
  type CommandQueueOptions,
  createCommandQueue,
  type ReceivedCommand,
} from './commands.js';
export { type ConnectOptions, connectRedis } from './connect.js';
export {
  type CorrectionAudit,
  type CorrectionAuditEntry,
  type CorrectionAuditOptions,
  type CorrectionOutcomeEntry,
  createCorrectionAudit,
  MAX_AUDIT_DETAIL_LENGTH,
} from './correction-audit.js';
export {
  type ClaimResult,
  type CorrectionLocks,
  type CorrectionLocksOptions,
  createCorrectionLocks,
} from './correction-locks.js';
export {
  CorruptDataError,
  InvalidInputError,
  LeaseLostError,
  ScriptLoadError,
  ScriptResultError,
  StaleFenceError,
  StaleVersionError,
  StoreError,
  type StoreErrorCode,
} from './errors.js';
export { type RepairReport, repairFindingsIndex } from './findings-repair.js';
export {
  createIncidentStore,
  type IncidentDoc,
  type IncidentPage,
  type IncidentStatusFilter,
  type IncidentStore,
  type IncidentStoreOptions,
} from './incidents.js';
export { findingMember, parseFindingMember } from './findings-index.js';
export { createKeys, type Keys, type KeysOptions, MAX_ID_LENGTH, validateId } from './keys.js';
export {
  type AcquireOptions,
  createLeases,
  type Lease,
  type LeaseInfo,
  type Leases,
  type LeasesOptions,
  type RenewOutcome,
} from './leases.js';
export { createEngineStatusStore, type EngineStatus, type EngineStatusStore } from './engine-status.js';
export {
  createOutbox,
  type DirectEntry,
  type GroupStart,
  type Outbox,
  type OutboxOptions,
  type UnrelayedPage,
} from './outbox.js';
export { createRateBudget, type Grant, type RateBudget, type RateBudgetOptions } from './rate-budget.js';
export { createPolicyOverrides, type PolicyOverrides, type RuleOverrides } from './policy-overrides.js';
export {
  parseResolvedMember,
  RESOLVED_MAX,
  RESOLVED_RETENTION_MS,
  type ResolvedFinding,
} from './resolved-findings.js';
export { createReads, type Reads, type ReadsOptions } from './reads.js';
export {
  type CachedSchedule,
  createScheduleCache,
  type ScheduleCache,
  type ScheduleCacheOptions,
} from './schedule-cache.js';
export { defineScripts, type RedisClient } from './scripts.js';
export type {
  AgentCommit,
  AgentRecord,
  CommitResult,
  FindingDoc,
  HistoryCause,
  HistoryEntry,
  OpenFinding,
  OutboxMessage,
} from './types.js';
export { HISTORY_CAUSES } from './types.js';
