import { z } from 'zod';
import { MAX_FIREHOSE_EVENTS_PER_SECOND } from '../world/firehose.js';
import { calendarDateSchema, scheduleTimeSchema } from './calendar.js';
import type { ScheduleActivitySpec, TransportFault, WorldAction } from '../world/contract.js';

/** The ten system presences in REST title case (reference §3.10). */
export const SYSTEM_PRESENCES = [
  'Available',
  'Away',
  'Busy',
  'Offline',
  'Idle',
  'On Queue',
  'Meal',
  'Training',
  'Meeting',
  'Break',
] as const;

export const ROUTING_STATUSES = [
  'OFF_QUEUE',
  'IDLE',
  'INTERACTING',
  'NOT_RESPONDING',
  'COMMUNICATING',
] as const;

export const systemPresenceSchema = z.enum(SYSTEM_PRESENCES);
export const routingStatusSchema = z.enum(ROUTING_STATUSES);
export const presenceSpecSchema = z.union([
  systemPresenceSchema,
  z.strictObject({ definitionId: z.string().min(1) }),
]);

const probability = z.number().min(0).max(1);
/** Milliseconds, at most what a Node timer can wait (about 24.8 days). */
const positiveMs = z.number().int().nonnegative().max(2_147_483_647);

export const scheduleActivitySpecSchema: z.ZodType<ScheduleActivitySpec> = z.strictObject({
  start: scheduleTimeSchema,
  lengthMinutes: z.number().int().positive(),
  activityCodeId: z.string().min(1),
});

export const transportFaultSchema: z.ZodType<TransportFault> = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('events'),
    mode: z.enum(['drop', 'delay', 'duplicate', 'reorder']),
    topic: z.string().optional(),
    agentId: z.string().optional(),
    probability: probability.optional(),
    delayMs: positiveMs.optional(),
    durationMs: positiveMs.optional(),
  }),
  z.strictObject({ kind: z.literal('socket-kill'), channelId: z.string().optional() }),
  z.strictObject({
    kind: z.literal('heartbeats-stop'),
    channelId: z.string().optional(),
    durationMs: positiveMs.optional(),
  }),
  z.strictObject({
    kind: z.literal('socket-closing'),
    channelId: z.string().optional(),
    closeAfterMs: positiveMs.optional(),
  }),
  z.strictObject({ kind: z.literal('channel-expire'), channelId: z.string().optional() }),
  z.strictObject({ kind: z.literal('token-revoke'), clientId: z.string().optional() }),
  z.strictObject({
    kind: z.literal('garbage'),
    channelId: z.string().optional(),
    agentId: z.string().optional(),
    frames: z.array(z.string().max(65_536)).min(1).max(100).optional(),
  }),
  z.strictObject({
    kind: z.literal('rate-limit-storm'),
    clientId: z.string().optional(),
    durationMs: positiveMs.optional(),
    retryAfterSec: z.number().int().positive().optional(),
  }),
  z.strictObject({
    kind: z.literal('server-errors'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
    probability: probability.optional(),
    durationMs: positiveMs.optional(),
  }),
]);

const agentId = z.string().min(1);

/** Every world action of the contract; `agentId: "*"` is allowed in timeline entries with `forAgents`. */
export const worldActionSchema: z.ZodType<WorldAction> = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('set-presence'),
    agentId,
    presence: presenceSpecSchema,
    by: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('set-routing-status'),
    agentId,
    status: routingStatusSchema,
    by: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('associate-station'), agentId }),
  z.strictObject({ type: z.literal('disassociate-station'), agentId }),
  z.strictObject({ type: z.literal('kill-station'), agentId }),
  z.strictObject({ type: z.literal('revive-station'), agentId }),
  z.strictObject({ type: z.literal('join-queue'), agentId, queueId: z.string().min(1) }),
  z.strictObject({ type: z.literal('leave-queue'), agentId, queueId: z.string().min(1) }),
  z.strictObject({ type: z.literal('remove-from-queue'), agentId, queueId: z.string().min(1) }),
  z.strictObject({ type: z.literal('offer-call'), queueId: z.string().min(1), agentId: agentId.optional() }),
  z.strictObject({ type: z.literal('end-call'), agentId }),
  z.strictObject({ type: z.literal('hold-call'), agentId, held: z.boolean() }),
  z.strictObject({ type: z.literal('presence-routing-decouple'), agentId, enabled: z.boolean() }),
  z.strictObject({ type: z.literal('sticky-not-responding'), agentId, enabled: z.boolean() }),
  z.strictObject({
    type: z.literal('revert-presence'),
    agentId,
    enabled: z.boolean(),
    revertAfterMs: positiveMs.optional(),
  }),
  z.strictObject({
    type: z.literal('edit-shift'),
    agentId,
    shiftId: z.string().min(1),
    activities: z.array(scheduleActivitySpecSchema).min(1),
  }),
  z.strictObject({
    type: z.literal('swap-shifts'),
    agentIdA: agentId,
    agentIdB: agentId,
    date: calendarDateSchema,
  }),
  z.strictObject({
    type: z.literal('publish-schedule'),
    muId: z.string().min(1),
    weekStart: calendarDateSchema,
    agentIds: z.array(agentId).optional(),
  }),
  z.strictObject({
    type: z.literal('request-time-off'),
    agentId,
    status: z.enum(['PENDING', 'APPROVED', 'DENIED', 'CANCELED']),
    fullDayDates: z.array(calendarDateSchema).optional(),
    partialStart: scheduleTimeSchema.optional(),
    minutes: z.number().int().positive().optional(),
    requestId: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('set-out-of-office'), agentId, active: z.boolean() }),
  z.strictObject({ type: z.literal('fault'), fault: transportFaultSchema }),
  z.strictObject({
    type: z.literal('firehose'),
    eventsPerSecond: z
      .number()
      .nonnegative()
      .max(MAX_FIREHOSE_EVENTS_PER_SECOND, {
        message: `at most ${MAX_FIREHOSE_EVENTS_PER_SECOND} events per second`,
      }),
  }),
]);
