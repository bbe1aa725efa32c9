import type { RuleId } from '../policy.js';
import type { RoutingStatus, SystemPresence } from '../presence.js';

/** What a correction does, with its target. */
export type CorrectionTarget =
  | { readonly kind: 'set-routing-status'; readonly target: { readonly status: RoutingStatus } }
  | {
      readonly kind: 'set-presence';
      /** `definitionId: null` means "the org's system definition for this presence" (the engine resolves it). */
      readonly target: { readonly presence: SystemPresence; readonly definitionId: string | null };
    }
  | { readonly kind: 'disassociate-station'; readonly target: { readonly stationId: string } };

export type CorrectionKind = CorrectionTarget['kind'];

/**
 * A correction lockstep intends to apply. Data only: the engine applies it no earlier than `notBefore` and
 * drops it if the finding `findingId` has been resolved meanwhile.
 */
export type CorrectionIntent = CorrectionTarget & {
  /** Deterministic: `${findingId}:c${attempt}`. */
  readonly id: string;
  readonly agentId: string;
  readonly ruleId: RuleId;
  readonly findingId: string;
  /** 1 for the first correction of a finding, 2 for the first retry, ... */
  readonly attempt: number;
  readonly reason: string;
  readonly notBefore: number;
  /**
   * Pacing priority: `urgent` (stuck NOT_RESPONDING, ghost sessions), `declared` (a declared desired state),
   * `adherence`. Absent on intents planned by rules that predate it.
   */
  readonly priority?: 'urgent' | 'declared' | 'adherence';
  /** The declaration the intent applies (then `findingId` is that declaration's id), when it applies one. */
  readonly declarationId?: string;
};

/** Where a finding stands with respect to corrections. */
export type CorrectionStatus =
  | 'none' // the rule's action is not `correct`
  | 'unavailable' // no safe automatic correction exists for this situation
  | 'deferred' // the agent is working an interaction: planned once it ends
  | 'intended' // an intent was emitted
  | 'suppressed'; // the flap guard refused: too many corrections for this agent in the window
