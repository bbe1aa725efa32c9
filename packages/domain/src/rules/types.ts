import type { CorrectionTarget } from '../corrections/types.js';
import type { RoutingStatus, SystemPresence } from '../presence.js';
import type { AgentSignals, ScheduledActivity, Stamped } from '../signals.js';
import type { Policy, RuleId } from '../policy.js';

/** Whether WFM data can be trusted for this agent: off when the OAuth client lacks WFM permissions. */
export type WfmAvailability = 'enabled' | 'disabled';

/** A state declared by lockstep (after a correction) or another system (e.g. an external WFM tool). */
export interface Declaration {
  readonly presence: SystemPresence | null;
  readonly routing: RoutingStatus | null;
  /** Who declared it, e.g. `lockstep` or `external-wfm`. */
  readonly by: string;
  readonly at: number;
  /** The declaration stops mattering at this instant. */
  readonly until: number;
}

/** Station health after inference: reported health, or `dead` inferred from repeated NOT_RESPONDING. */
export interface EffectiveStationHealth {
  readonly health: 'ok' | 'dead' | 'unknown';
  readonly origin: 'reported' | 'inferred' | 'none';
  /** Timestamp of the fact the health rests on (0 when unknown). */
  readonly at: number;
}

/** Everything a rule may look at. Built once per evaluation; rules must treat it as read-only. */
export interface RuleInput {
  readonly agentId: string;
  readonly now: number;
  readonly signals: AgentSignals;
  readonly wfm: WfmAvailability;
  /** Scheduled activity now, from the configured `ScheduleSource`; `undefined` when unknown. */
  readonly schedule: Stamped<ScheduledActivity> | undefined;
  /** NOT_RESPONDING episode start times, newest first, already limited to the repeated-episode window. */
  readonly episodes: readonly number[];
  readonly declared: Declaration | null;
  readonly station: EffectiveStationHealth;
  /** The agent is working an interaction (routing INTERACTING/COMMUNICATING, or any interaction active or in ACW). */
  readonly busy: boolean;
  readonly policy: Policy;
}

/** One fact supporting a finding: a signal (or derived fact) with its value as text and its timestamp. */
export interface Evidence {
  readonly name: string;
  readonly value: string;
  readonly at: number;
}

/** A rule's condition holds. */
export interface Verdict {
  /** The condition has held at least since this instant (the latest timestamp among the facts involved). */
  readonly since: number;
  /** If the condition will stop holding by itself (a window or declaration expiring), the instant it does. */
  readonly until?: number;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

/** One entry of the rule catalogue. Pure: `evaluate` and `plan` depend only on their arguments. */
export interface RuleDefinition {
  readonly id: RuleId;
  readonly description: string;
  /** Situations that look like this desync but are legitimate, and how the rule avoids them. */
  readonly legitimate: string;
  /** Needs WFM data: never fires while WFM is disabled. */
  readonly needsWfm: boolean;
  /** Returns a verdict when the condition holds now, `null` otherwise (including when data is missing). */
  evaluate(input: RuleInput): Verdict | null;
  /** The correction that would fix the desync now, or `null` when none is safe or possible. */
  plan(input: RuleInput): CorrectionTarget | null;
}
