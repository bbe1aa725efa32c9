import { z } from 'zod';
import type { TransportFault, WorldAction } from '../world/contract.js';

const id = z.string().min(1);
const ms = z.number().int().min(0);
const probability = z.number().min(0).max(1);

/** Zod schema of `TransportFault` (world contract). */
export const transportFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('events'),
    mode: z.enum(['drop', 'delay', 'duplicate', 'reorder']),
    topic: z.string().min(1).optional(),
    agentId: id.optional(),
    probability: probability.optional(),
    delayMs: ms.optional(),
    durationMs: ms.optional(),
  }),
  z.strictObject({ kind: z.literal('socket-kill'), channelId: id.optional() }),
  z.strictObject({ kind: z.literal('heartbeats-stop'), channelId: id.optional(), durationMs: ms.optional() }),
  z.strictObject({
    kind: z.literal('socket-closing'),
    channelId: id.optional(),
    closeAfterMs: ms.optional(),
  }),
  z.strictObject({ kind: z.literal('channel-expire'), channelId: id.optional() }),
  z.strictObject({ kind: z.literal('token-revoke'), clientId: id.optional() }),
  z.strictObject({
    kind: z.literal('garbage'),
    channelId: id.optional(),
    agentId: id.optional(),
    frames: z.array(z.string().max(65_536)).min(1).max(100).optional(),
  }),
  z.strictObject({
    kind: z.literal('rate-limit-storm'),
    clientId: id.optional(),
    durationMs: ms.optional(),
    retryAfterSec: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    kind: z.literal('server-errors'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
    probability: probability.optional(),
    durationMs: ms.optional(),
  }),
]);

const systemPresence = z.enum([
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
]);
const routingStatus = z.enum(['OFF_QUEUE', 'IDLE', 'INTERACTING', 'NOT_RESPONDING', 'COMMUNICATING']);
const activity = z.strictObject({
  start: z.string().min(1),
  lengthMinutes: z.number().int().positive(),
  activityCodeId: z.string().min(1),
});
const agent = { agentId: id };

/** Zod schema of `WorldAction` (world contract); the world validates meaning (unknown ids, dates). */
export const worldActionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('set-presence'),
    ...agent,
    presence: z.union([systemPresence, z.strictObject({ definitionId: id })]),
    by: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('set-routing-status'),
    ...agent,
    status: routingStatus,
    by: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('associate-station'), ...agent }),
  z.strictObject({ type: z.literal('disassociate-station'), ...agent }),
  z.strictObject({ type: z.literal('kill-station'), ...agent }),
  z.strictObject({ type: z.literal('revive-station'), ...agent }),
  z.strictObject({ type: z.literal('join-queue'), ...agent, queueId: id }),
  z.strictObject({ type: z.literal('leave-queue'), ...agent, queueId: id }),
  z.strictObject({ type: z.literal('remove-from-queue'), ...agent, queueId: id }),
  z.strictObject({ type: z.literal('offer-call'), queueId: id, agentId: id.optional() }),
  z.strictObject({ type: z.literal('end-call'), ...agent }),
  z.strictObject({ type: z.literal('presence-routing-decouple'), ...agent, enabled: z.boolean() }),
  z.strictObject({ type: z.literal('sticky-not-responding'), ...agent, enabled: z.boolean() }),
  z.strictObject({
    type: z.literal('revert-presence'),
    ...agent,
    enabled: z.boolean(),
    revertAfterMs: ms.optional(),
  }),
  z.strictObject({ type: z.literal('edit-shift'), ...agent, shiftId: id, activities: z.array(activity) }),
  z.strictObject({ type: z.literal('swap-shifts'), agentIdA: id, agentIdB: id, date: z.string().min(1) }),
  z.strictObject({
    type: z.literal('publish-schedule'),
    muId: id,
    weekStart: z.string().min(1),
    agentIds: z.array(id).optional(),
  }),
  z.strictObject({
    type: z.literal('request-time-off'),
    ...agent,
    status: z.enum(['PENDING', 'APPROVED', 'DENIED', 'CANCELED']),
    fullDayDates: z.array(z.string()).optional(),
    partialStart: z.string().optional(),
    minutes: z.number().int().positive().optional(),
    requestId: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('set-out-of-office'), ...agent, active: z.boolean() }),
  z.strictObject({ type: z.literal('fault'), fault: transportFaultSchema }),
  z.strictObject({ type: z.literal('firehose'), eventsPerSecond: z.number().min(0) }),
]);

// Compile-time checks that the schemas produce the contract types.
type Assert<T extends true> = T;
export type _FaultMatches = Assert<
  z.infer<typeof transportFaultSchema> extends TransportFault ? true : false
>;
export type _ActionMatches = Assert<z.infer<typeof worldActionSchema> extends WorldAction ? true : false>;

/** Formats zod issues as `path: message` lines. */
export function issues(err: z.ZodError): string[] {
  return err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
}
