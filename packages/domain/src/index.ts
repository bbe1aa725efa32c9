/**
 * `@lockstep/domain`: the pure agent model. No I/O, no timers, no wall clock: time comes in as data.
 *
 * Typical use by the engine:
 * ```ts
 * const machine = createAgentMachine(parsePolicy(config.policy)); // once per policy
 * let snapshot = initialAgentSnapshot(machine, agentId, now);     // or restoreAgent(machine, JSON.parse(stored))
 * const { snapshot: next, effects, nextDeadline } = stepAgent(machine, snapshot, { type: 'SIGNAL', update });
 * // persist persistAgent(next), write effects to the outbox, schedule { type: 'TICK', now: nextDeadline }
 * ```
 */

export type { AgentSnapshot, PersistedAgent, StepResult } from './agent.js';
export {
  initialAgentSnapshot,
  nextDeadline,
  persistAgent,
  restoreAgent,
  stepAgent,
  stepAgentEvents,
} from './agent.js';
export type { AgentContext, AgentHealth, AgentStatus } from './context.js';
export { statusOf } from './context.js';
export { flapGuard, type GuardDecision } from './corrections/flap-guard.js';
export type {
  CorrectionIntent,
  CorrectionKind,
  CorrectionStatus,
  CorrectionTarget,
} from './corrections/types.js';
export {
  type AcceptedDeclaration,
  type BulkDeclaration,
  MAX_BULK_DECLARATIONS,
  parseBulkDeclaration,
  type RefusedDeclaration,
} from './declarations/bulk.js';
export { declarationIdOf, foldDeclaration, isDesiredDeclaration, requestOf } from './declarations/declare.js';
export { isDeliberateChange } from './declarations/deliberate.js';
export { declarationReport } from './declarations/report.js';
export { clockText, type Obstacle, obstacleTo } from './declarations/safety.js';
export { DECLARATION_RULE_ID } from './declarations/step.js';
export {
  DECLARATION_EFFECT_TYPES,
  DECLARATION_STATUSES,
  type DeclarationEffectType,
  type DeclarationOutcome,
  type DeclarationReport,
  type DeclarationRequest,
  type DeclarationStatus,
  type DesiredState,
  isFinal,
} from './declarations/types.js';
export type { Effect, EffectType } from './effects.js';
export { EFFECT_TYPES } from './effects.js';
export type { DomainErrorCode, Problem } from './errors.js';
export { DomainError, EventError, PolicyError, SnapshotError, UnknownPresenceError } from './errors.js';
export { ruleInput } from './evaluate.js';
export type {
  AgentEvent,
  EventBatch,
  MachineEvent,
  DeclareEvent,
  ResyncEvent,
  SignalEvent,
  TickEvent,
  UntrackedEvent,
  WfmAvailabilityEvent,
} from './events.js';
export { agentEventSchema, MAX_DECLARATION_MS, parseAgentEvent, signalUpdateSchema } from './events.js';
export type { Finding, FindingResolution } from './findings.js';
export {
  type AgentAttributes,
  describeTrait,
  type Trait,
  type TraitKey,
  traitId,
  traitsOf,
} from './incidents/attributes.js';
export {
  type CommonCauseOptions,
  commonCause,
  countTraits,
  type TraitCounts,
  type TraitLift,
} from './incidents/common-cause.js';
export {
  type GroupedFinding,
  type GroupInput,
  type GroupResult,
  groupIncidents,
  type Incident,
  type IncidentChange,
  type IncidentMember,
  type IncidentSettings,
} from './incidents/group.js';
export type { AgentMachine, AgentMachineInput, AgentMachineOptions } from './machine.js';
export { createAgentMachine } from './machine.js';
export type { Policy, RuleAction, RuleId, RulePolicy, Severity } from './policy.js';
export {
  ACTIONS,
  DEFAULT_POLICY,
  MAX_EPISODES,
  parsePolicy,
  policySchema,
  RULE_IDS,
  SEVERITIES,
} from './policy.js';
export type { ActivityCategory, AdherenceState, RoutingStatus, SystemPresence } from './presence.js';
export {
  ACTIVITY_CATEGORIES,
  ADHERENCE_STATES,
  isWorkingStatus,
  normalizeSystemPresence,
  ROUTING_STATUSES,
  SYSTEM_PRESENCES,
  tryNormalizeSystemPresence,
} from './presence.js';
export { applyRuleOverrides, type RuleOverrides } from './policy-overrides.js';
export { RULES } from './rules/catalogue.js';
export { normalizeSegments, type ScheduleAt, scheduleAt, type ScheduleSegment } from './schedule-segments.js';
export { effectiveStationHealth, isBusy } from './rules/facts.js';
export type {
  Declaration,
  EffectiveStationHealth,
  Evidence,
  RuleDefinition,
  RuleInput,
  Verdict,
  WfmAvailability,
} from './rules/types.js';
export { adherenceScheduleSource, plannedScheduleSource, type ScheduleSource } from './schedule.js';
export { MAX_SCHEDULE_SEGMENTS, nextPlannedBoundary, plannedActivityAt } from './planned-schedule.js';
export { ownAdherence } from './rules/adherence-disagrees.js';
export { currentOrNextShiftStart, shiftRuns, shiftStartAt, wfmEvidence } from './rules/wfm-facts.js';
export type { ShiftRun } from './rules/wfm-facts.js';
export type {
  AgentSignals,
  InteractionCounts,
  PendingTimeOff,
  PlannedScheduleValue,
  PresenceValue,
  ScheduleChangeKind,
  ScheduledActivity,
  SignalName,
  SignalSource,
  SignalUpdate,
  SignalValues,
  Stamped,
  StationHealth,
  StationValue,
  TimeOffInterval,
  TimeOffValue,
} from './signals.js';
export { mergeSignal, SIGNAL_NAMES, signalValueText } from './signals.js';
export { MAX_TIME_OFF_INTERVALS, nextTimeOffBoundary, timeOffActiveAt, timeOffEndedAt } from './time-off.js';
