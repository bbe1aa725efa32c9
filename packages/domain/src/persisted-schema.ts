import { z } from 'zod';
import { RULE_IDS, SEVERITIES } from './policy.js';
import type { SignalSource } from './signals.js';
import { MAX_SCHEDULE_SEGMENTS } from './planned-schedule.js';
import { MAX_TIME_OFF_INTERVALS } from './time-off.js';
import { ACTIVITY_CATEGORIES, ADHERENCE_STATES, ROUTING_STATUSES, SYSTEM_PRESENCES } from './presence.js';

const time = z.number().finite();
// `seenAt` was added after format version 1 was first written: a snapshot without it loads with `seenAt = at`
// (the last observation known then), so snapshots already in Redis keep loading.
const stamped = <T extends z.ZodType>(value: T) =>
  z
    .strictObject({
      value,
      at: time,
      seenAt: time.optional(),
      source: z.enum(['event', 'resync', 'correction']),
    })
    .transform((parsed) => {
      const s = parsed as { value: z.output<T>; at: number; seenAt?: number; source: SignalSource };
      return { value: s.value, at: s.at, seenAt: s.seenAt ?? s.at, source: s.source };
    })
    .optional();
const count = z.number().int().min(0);

const evidence = z.array(z.strictObject({ name: z.string(), value: z.string(), at: time }));

const openFinding = z
  .strictObject({
    id: z.string(),
    severity: z.enum(SEVERITIES),
    since: time,
    openedAt: time,
    updatedAt: time,
    summary: z.string(),
    evidence,
    correction: z.enum(['none', 'unavailable', 'deferred', 'intended', 'suppressed']),
    attempts: count,
    lastCorrectionAt: time.nullable(),
  })
  .optional();

const statuses = [
  'pending',
  'applied',
  'deferred',
  'refused',
  'reverted-by',
  'expired',
  'superseded',
] as const;

// `desired` was added after format version 1 was first written: a snapshot without it loads with none.
const desired = z
  .strictObject({
    id: z.string().min(1),
    presence: z.enum(SYSTEM_PRESENCES),
    definitionId: z.string().nullable(),
    validFrom: time,
    validUntil: time,
    reason: z.string(),
    source: z.string(),
    declaredAt: time,
    overridesSchedule: z.boolean(),
    outcome: z.strictObject({
      status: z.enum(statuses),
      since: time,
      why: z.string().nullable(),
      by: z.string().nullable(),
    }),
    attempts: count,
    lastIntentAt: time.nullable(),
    confirmedAt: time.nullable(),
    heldBefore: z.enum(SYSTEM_PRESENCES).nullable(),
    reverts: count,
    revertedBy: z.string().nullable(),
    wakeAt: time.nullable(),
  })
  .nullable()
  .default(null);

/** Schema of the machine context as persisted (format version 1). Keep in step with `AgentContext`. */
export const persistedContextSchema = z.strictObject({
  agentId: z.string().min(1),
  clock: time,
  wfm: z.enum(['enabled', 'disabled']),
  signals: z.strictObject({
    presence: stamped(
      z.strictObject({
        system: z.enum(SYSTEM_PRESENCES),
        definitionId: z.string().nullable(),
        source: z.string().min(1).optional(),
      }),
    ),
    routing: stamped(z.enum(ROUTING_STATUSES)),
    station: stamped(z.strictObject({ stationId: z.string().nullable() })),
    stationHealth: stamped(z.enum(['ok', 'dead', 'unknown'])),
    interactions: stamped(z.strictObject({ active: count, acw: count })),
    schedule: stamped(
      z.strictObject({
        category: z.enum(ACTIVITY_CATEGORIES),
        activityCodeId: z.string().nullable(),
        adherence: z.enum(ADHERENCE_STATES).nullable(),
      }),
    ),
    timeOff: stamped(
      z.strictObject({
        active: z.boolean(),
        pending: count,
        intervals: z
          .array(z.strictObject({ start: time, end: time }))
          .max(MAX_TIME_OFF_INTERVALS)
          .optional(),
        pendingIntervals: z
          .array(z.strictObject({ start: time, end: time, text: z.string() }))
          .max(MAX_TIME_OFF_INTERVALS)
          .optional(),
      }),
    ),
    outOfOffice: stamped(z.boolean()),
    // Added after format version 1 was first written; optional, so older snapshots keep loading.
    plannedSchedule: stamped(
      z.strictObject({
        segments: z
          .array(
            z.strictObject({
              start: time,
              end: time,
              category: z.enum(ACTIVITY_CATEGORIES),
              activityCodeId: z.string().nullable(),
              timeOffRequestId: z.string().nullable().optional(),
            }),
          )
          .max(MAX_SCHEDULE_SEGMENTS),
        changedAt: time.nullable(),
        change: z.enum(['edit', 'swap', 'publish']).nullable(),
      }),
    ),
  }),
  episodes: z.array(time).max(100),
  declared: z
    .strictObject({
      presence: z.enum(SYSTEM_PRESENCES).nullable(),
      routing: z.enum(ROUTING_STATUSES).nullable(),
      by: z.string(),
      at: time,
      until: time,
    })
    .nullable(),
  desired,
  findings: z.strictObject(
    Object.fromEntries(RULE_IDS.map((id) => [id, openFinding])) as Record<
      (typeof RULE_IDS)[number],
      typeof openFinding
    >,
  ),
  corrections: z.array(time).max(1000),
  deadline: time.nullable(),
  status: z.enum([
    'unknown',
    'offline',
    'available',
    'onQueue.idle',
    'onQueue.interacting',
    'onQueue.notResponding',
    'onQueue.notRoutable',
    'onQueue.unknown',
  ]),
  health: z.enum(['inSync', 'suspect', 'desynced']),
});

/** Persisted agent, format version 1. */
export const persistedAgentSchema = z.strictObject({
  v: z.literal(1),
  value: z.record(z.string(), z.unknown()),
  context: persistedContextSchema,
});
