import { z } from 'zod';
import { EventError } from './errors.js';
import {
  ACTIVITY_CATEGORIES,
  ADHERENCE_STATES,
  ROUTING_STATUSES,
  type RoutingStatus,
  SYSTEM_PRESENCES,
  type SystemPresence,
} from './presence.js';
import type { SignalUpdate } from './signals.js';
import { MAX_SCHEDULE_SEGMENTS } from './planned-schedule.js';
import { MAX_TIME_OFF_INTERVALS } from './time-off.js';

/** One signal observation (a notification mapped by the Genesys adapter, or a correction echo). */
export interface SignalEvent {
  readonly type: 'SIGNAL';
  readonly update: SignalUpdate;
}

/** Time passes: re-evaluate grace periods and windows at `now` (engine clock, epoch ms). */
export interface TickEvent {
  readonly type: 'TICK';
  readonly now: number;
}

/**
 * A state that should stick, set by lockstep (after applying a correction) or another system. At least one of
 * `presence` / `routing`. The newest declaration (by `at`) replaces older ones.
 *
 * With `validFrom` it is a declared DESIRED state (see `declarations/`): lockstep applies the presence at
 * `validFrom` when it is safe, re-applies it when another system reverts it, and keeps its outcome. Without
 * `validFrom` it only feeds `state-not-sticking` (and `ttlMs` is required).
 */
export interface DeclareEvent {
  readonly type: 'DECLARE';
  readonly presence?: SystemPresence;
  readonly routing?: RoutingStatus;
  readonly by: string;
  readonly at: number;
  /** Validity from `at` (a plain declaration), or from `validFrom` when `validUntil` is absent. */
  readonly ttlMs?: number;
  /** Desired state: apply from this instant (epoch ms). */
  readonly validFrom?: number;
  /** Desired state: stop caring at this instant (default `validFrom + ttlMs`). */
  readonly validUntil?: number;
  /** Desired state: a presence definition id (default: the org's system definition of `presence`). */
  readonly definitionId?: string;
  /** Desired state: why (shown with the outcome). */
  readonly reason?: string;
  /** Desired state: the declarer's own id for it (default `<agentId>:declared:<at>`). */
  readonly declarationId?: string;
  /** Desired state: apply even during a scheduled off-queue activity. */
  readonly overridesSchedule?: boolean;
}

/** Longest validity of a declared desired state. */
export const MAX_DECLARATION_MS = 7 * 24 * 3_600_000;

/** A batch of signals re-read over REST (after a socket gap or at start). `at` is when the read happened. */
export interface ResyncEvent {
  readonly type: 'RESYNC';
  readonly at: number;
  readonly updates: readonly SignalUpdate[];
}

/** WFM data is unavailable (no permission) or available again; rules needing WFM only fire while enabled. */
export interface WfmAvailabilityEvent {
  readonly type: 'WFM_DISABLED' | 'WFM_ENABLED';
  readonly at: number;
}

/**
 * The agent left the engine's selection: its open findings resolve with the resolution `untracked` (nothing
 * watches the agent any more, so they could never clear by themselves) and no rule is evaluated. A later event
 * (the agent selected again) evaluates the rules afresh.
 */
export interface UntrackedEvent {
  readonly type: 'UNTRACKED';
  readonly at: number;
}

/** Every event an agent accepts. */
export type AgentEvent =
  SignalEvent | TickEvent | DeclareEvent | ResyncEvent | WfmAvailabilityEvent | UntrackedEvent;

/**
 * Several events of one agent taken in ONE machine step, in order. The outcome equals stepping them one by one
 * (the domain logic still merges and evaluates after each event, and the effects come out in the same order);
 * only the machine's own per-step work is paid once. Intermediate state values are not visited.
 */
export interface EventBatch {
  readonly type: 'EVENTS';
  readonly events: readonly AgentEvent[];
}

/** What the machine accepts: one event, or a batch of them. */
export type MachineEvent = AgentEvent | EventBatch;

const epochMs = z.number().int().min(0);
const source = z.enum(['event', 'resync', 'correction']);
const stamp = { at: epochMs, source, observed: z.boolean().optional() };
const id = z.string().min(1).max(200);
const count = z.number().int().min(0).max(10_000);

/** Schema of a {@link SignalUpdate} (for input coming from outside the process, e.g. the admin API). */
export const signalUpdateSchema = z.discriminatedUnion('signal', [
  z.strictObject({
    signal: z.literal('presence'),
    value: z.strictObject({
      system: z.enum(SYSTEM_PRESENCES),
      definitionId: id.nullable(),
      source: id.optional(),
    }),
    ...stamp,
  }),
  z.strictObject({ signal: z.literal('routing'), value: z.enum(ROUTING_STATUSES), ...stamp }),
  z.strictObject({
    signal: z.literal('station'),
    value: z.strictObject({ stationId: id.nullable() }),
    ...stamp,
  }),
  z.strictObject({ signal: z.literal('stationHealth'), value: z.enum(['ok', 'dead', 'unknown']), ...stamp }),
  z.strictObject({
    signal: z.literal('interactions'),
    value: z.strictObject({ active: count, acw: count }),
    ...stamp,
  }),
  z.strictObject({
    signal: z.literal('schedule'),
    value: z.strictObject({
      category: z.enum(ACTIVITY_CATEGORIES),
      activityCodeId: id.nullable(),
      adherence: z.enum(ADHERENCE_STATES).nullable(),
    }),
    ...stamp,
  }),
  z.strictObject({
    signal: z.literal('timeOff'),
    value: z.strictObject({
      active: z.boolean(),
      pending: count,
      intervals: z
        .array(z.strictObject({ start: epochMs, end: epochMs }).refine((i) => i.start < i.end))
        .max(MAX_TIME_OFF_INTERVALS)
        .optional(),
      pendingIntervals: z
        .array(
          z
            .strictObject({ start: epochMs, end: epochMs, text: z.string().max(200) })
            .refine((i) => i.start < i.end),
        )
        .max(MAX_TIME_OFF_INTERVALS)
        .optional(),
    }),
    ...stamp,
  }),
  z.strictObject({ signal: z.literal('outOfOffice'), value: z.boolean(), ...stamp }),
  z.strictObject({
    signal: z.literal('plannedSchedule'),
    value: z.strictObject({
      segments: z
        .array(
          z
            .strictObject({
              start: epochMs,
              end: epochMs,
              category: z.enum(ACTIVITY_CATEGORIES),
              activityCodeId: id.nullable(),
              timeOffRequestId: id.nullable().optional(),
            })
            .refine((s) => s.start < s.end),
        )
        .max(MAX_SCHEDULE_SEGMENTS),
      changedAt: epochMs.nullable(),
      change: z.enum(['edit', 'swap', 'publish']).nullable(),
    }),
    ...stamp,
  }),
]);

/** Schema of an {@link AgentEvent}. */
export const agentEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('SIGNAL'), update: signalUpdateSchema }),
  z.strictObject({ type: z.literal('TICK'), now: epochMs }),
  z
    .strictObject({
      type: z.literal('DECLARE'),
      presence: z.enum(SYSTEM_PRESENCES).optional(),
      routing: z.enum(ROUTING_STATUSES).optional(),
      by: z.string().min(1).max(100),
      at: epochMs,
      ttlMs: z
        .number()
        .int()
        .min(1)
        .max(24 * 3_600_000)
        .optional(),
      validFrom: epochMs.optional(),
      validUntil: epochMs.optional(),
      definitionId: id.optional(),
      reason: z.string().max(500).optional(),
      declarationId: z
        .string()
        .regex(/^[A-Za-z0-9._:-]{1,150}$/, 'letters, digits and . _ : - only (at most 150)')
        .optional(),
      overridesSchedule: z.boolean().optional(),
    })
    .refine((e) => e.presence !== undefined || e.routing !== undefined, {
      message: 'declare at least one of presence or routing',
    })
    .superRefine((e, ctx) => {
      const desired =
        e.validFrom !== undefined ||
        e.validUntil !== undefined ||
        e.definitionId !== undefined ||
        e.reason !== undefined ||
        e.declarationId !== undefined ||
        e.overridesSchedule !== undefined;
      if (!desired) {
        if (e.ttlMs === undefined)
          ctx.addIssue({ code: 'custom', path: ['ttlMs'], message: 'ttlMs is required' });
        return;
      }
      if (e.validFrom === undefined)
        ctx.addIssue({ code: 'custom', path: ['validFrom'], message: 'a desired state needs validFrom' });
      if (e.presence === undefined)
        ctx.addIssue({ code: 'custom', path: ['presence'], message: 'a desired state declares a presence' });
      if (e.routing !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['routing'],
          message: 'a desired state declares a presence only',
        });
      if (e.validUntil === undefined && e.ttlMs === undefined)
        ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'give validUntil or ttlMs' });
      const from = e.validFrom ?? 0;
      const until = e.validUntil ?? from + (e.ttlMs ?? 0);
      if (e.validFrom !== undefined && until <= from)
        ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil must be after validFrom' });
      if (e.validFrom !== undefined && until - from > MAX_DECLARATION_MS)
        ctx.addIssue({
          code: 'custom',
          path: ['validUntil'],
          message: 'a declaration is valid for at most 7 days',
        });
    }),
  z.strictObject({ type: z.literal('RESYNC'), at: epochMs, updates: z.array(signalUpdateSchema).max(100) }),
  z.strictObject({ type: z.enum(['WFM_DISABLED', 'WFM_ENABLED']), at: epochMs }),
  z.strictObject({ type: z.literal('UNTRACKED'), at: epochMs }),
]);

/**
 * Validates an event from outside the process. Pure. Throws `EventError` (code `EVENT_INVALID`) listing every
 * problem. Events built in-process by typed code need not go through this.
 */
export function parseAgentEvent(input: unknown): AgentEvent {
  const result = agentEventSchema.safeParse(input);
  if (result.success) return result.data as AgentEvent;
  throw new EventError(
    result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

/** The time an event speaks for (its platform timestamp, or the tick's `now`). */
export function eventTime(event: AgentEvent): number {
  switch (event.type) {
    case 'SIGNAL':
      return event.update.at;
    case 'TICK':
      return event.now;
    case 'RESYNC': {
      let max = event.at;
      for (const u of event.updates) if (u.at > max) max = u.at;
      return max;
    }
    default:
      return event.at;
  }
}
