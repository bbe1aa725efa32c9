import type { SystemPresence } from '../presence.js';

/**
 * Where a declaration stands for its agent:
 * - `pending`: waiting for `validFrom`, or a correction is intended and not confirmed yet;
 * - `applied`: the signals show the declared presence (confirmed);
 * - `deferred`: not safe now (an interaction, approved time off, a scheduled off-queue activity, the flap
 *   guard): applied once it is (`why` says what it waits for);
 * - `refused`: lockstep will not put or keep the agent in that state (`why`: no station, a dead station);
 *   it stands until the facts that made it unsafe change;
 * - `reverted-by`: the agent or a supervisor changed the state on purpose (`by` says who); not re-applied;
 * - `expired`: `validUntil` passed;
 * - `superseded`: a newer declaration replaced it (`by` is the newer declaration's id).
 *
 * `reverted-by`, `expired` and `superseded` are final.
 */
export const DECLARATION_STATUSES = [
  'pending',
  'applied',
  'deferred',
  'refused',
  'reverted-by',
  'expired',
  'superseded',
] as const;
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

/** An outcome: its status, since when it holds, and why (or by whom) where the status has one. */
export interface DeclarationOutcome {
  readonly status: DeclarationStatus;
  /** Since when this status (with this `why`) holds, epoch ms. */
  readonly since: number;
  readonly why: string | null;
  /** `reverted-by`: who changed it (the presence source); `superseded`: the newer declaration's id. */
  readonly by: string | null;
}

/** What the declarer asked for. */
export interface DeclarationRequest {
  /** Deterministic: given by the declarer, or `<agentId>:declared:<at>`. */
  readonly id: string;
  readonly presence: SystemPresence;
  /** A presence definition id, or `null` for the org's system definition of `presence`. */
  readonly definitionId: string | null;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly reason: string;
  /** Who declared it (a system such as `external-wfm`, or a supervisor). */
  readonly source: string;
  /** When it was declared (the DECLARE's `at`): the newest declaration wins. */
  readonly declaredAt: number;
  /** Apply it even during a scheduled off-queue activity. */
  readonly overridesSchedule: boolean;
}

/**
 * A declared desired state of one agent, with the bookkeeping that makes it stick. Kept in the agent's context
 * (at most one per agent: a newer declaration supersedes it) and persisted with it.
 */
export interface DesiredState extends DeclarationRequest {
  readonly outcome: DeclarationOutcome;
  /** Corrections intended for it so far (the intent ids are `<id>:c<attempt>`). */
  readonly attempts: number;
  /** `notBefore` of the latest intent, or `null` when none is awaiting confirmation. */
  readonly lastIntentAt: number | null;
  /** The presence timestamp of the standing confirmation, or `null` when the state is not confirmed now. */
  readonly confirmedAt: number | null;
  /** The system presence held before the declared one was confirmed (tells a stale client's restore). */
  readonly heldBefore: SystemPresence | null;
  /** Reverts by another system that lockstep re-applied. */
  readonly reverts: number;
  /** Who made the latest of those reverts (the presence source), or `null`. */
  readonly revertedBy: string | null;
  /** When planning looks again with no event (a retry, the flap guard reopening), or `null`. */
  readonly wakeAt: number | null;
}

/** The public form of a declaration and its outcome (agent record, outbox effects, admin API). */
export interface DeclarationReport extends DeclarationRequest {
  readonly agentId: string;
  readonly outcome: DeclarationOutcome;
  readonly attempts: number;
  readonly reverts: number;
  readonly revertedBy: string | null;
}

/** Outcome effects a step may produce (outbox, alerts). */
export const DECLARATION_EFFECT_TYPES = [
  'declaration.applied',
  'declaration.deferred',
  'declaration.refused',
  'declaration.reverted',
  'declaration.expired',
  'declaration.superseded',
] as const;
export type DeclarationEffectType = (typeof DECLARATION_EFFECT_TYPES)[number];

/** Final statuses: nothing changes a declaration in them. */
export function isFinal(status: DeclarationStatus): boolean {
  return status === 'reverted-by' || status === 'expired' || status === 'superseded';
}
