import { z } from 'zod';
import { idRefSchema, instantSchema, normalizeSystemPresence } from './common.js';
import { type BodyDecoder, bodyDecoder } from './decoder.js';
import type { AdherenceEvent, EventBase } from './events.js';

const adherenceBody = z.object({
  user: idRefSchema.optional(),
  managementUnitId: z.string().optional(),
  adherenceState: z.enum(['InAdherence', 'OutOfAdherence', 'Unscheduled', 'Unknown', 'Ignored', 'Explained']),
  scheduledActivityCategory: z.string().optional(),
  scheduledActivityCode: z.object({ id: z.string().optional() }).nullish(),
  actualActivityCategory: z.string().optional(),
  systemPresence: z.string().optional(),
  routingStatus: z.string().optional(),
  impact: z.string().optional(),
  isOutOfOffice: z.boolean().optional(),
  adherenceChangeTime: instantSchema.optional(),
  presenceUpdateTime: instantSchema.optional(),
  removedFromManagementUnit: z.boolean().optional(),
});

function adherenceEvent(
  b: z.output<typeof adherenceBody>,
  agentId: string,
  via: AdherenceEvent['via'],
  muId: string | undefined,
  base: EventBase,
): AdherenceEvent {
  const managementUnitId = muId ?? b.managementUnitId;
  const presence = b.systemPresence === undefined ? undefined : normalizeSystemPresence(b.systemPresence);
  return {
    ...base,
    kind: 'adherence',
    agentId,
    via,
    adherenceState: b.adherenceState,
    ...(managementUnitId === undefined ? {} : { managementUnitId }),
    ...(b.scheduledActivityCategory === undefined
      ? {}
      : { scheduledActivityCategory: b.scheduledActivityCategory }),
    ...(b.scheduledActivityCode?.id === undefined
      ? {}
      : { scheduledActivityCodeId: b.scheduledActivityCode.id }),
    ...(b.actualActivityCategory === undefined ? {} : { actualActivityCategory: b.actualActivityCategory }),
    ...(presence === undefined ? {} : { systemPresence: presence }),
    ...(b.routingStatus === undefined ? {} : { routingStatus: b.routingStatus }),
    ...(b.impact === undefined ? {} : { impact: b.impact }),
    ...(b.isOutOfOffice === undefined ? {} : { isOutOfOffice: b.isOutOfOffice }),
    ...(b.adherenceChangeTime === undefined ? {} : { changedAt: b.adherenceChangeTime }),
    ...(b.presenceUpdateTime === undefined ? {} : { presenceUpdatedAt: b.presenceUpdateTime }),
    ...(b.removedFromManagementUnit === undefined
      ? {}
      : { removedFromManagementUnit: b.removedFromManagementUnit }),
  };
}

/** `v2.users.{id}.workforcemanagement.adherence`: the agent comes from the topic. */
export const decodeUserAdherence: BodyDecoder = bodyDecoder(adherenceBody, (b, agentId, base) =>
  adherenceEvent(b, agentId, 'user', undefined, base),
);

/** `v2.workforcemanagement.managementunits.{id}.adherence`: the agent comes from `user.id` (required). */
export const decodeManagementUnitAdherence: BodyDecoder = bodyDecoder(
  adherenceBody.extend({ user: idRefSchema }),
  (b, muId, base) => adherenceEvent(b, b.user.id, 'managementUnit', muId, base),
);

/** `v2.users.{id}.workforcemanagement.schedules` (reference §3.9). */
export const decodeUserSchedules: BodyDecoder = bodyDecoder(
  z.object({
    startDate: instantSchema.optional(),
    endDate: instantSchema.optional(),
    updates: z
      .array(z.object({ type: z.string(), shiftStartDates: z.array(instantSchema).optional() }))
      .optional(),
  }),
  (b, agentId, base) => ({
    ...base,
    kind: 'scheduleChanged',
    agentId,
    ...(b.startDate === undefined ? {} : { startAt: b.startDate }),
    ...(b.endDate === undefined ? {} : { endAt: b.endDate }),
    updates: (b.updates ?? []).map((u) => ({ type: u.type, shiftStartAts: u.shiftStartDates ?? [] })),
  }),
);

/** `v2.workforcemanagement.managementunits.{id}.agentschedules.changed`. */
export const decodeManagementUnitSchedules: BodyDecoder = bodyDecoder(
  z.object({
    agents: z.array(
      z.object({
        agentId: z.string().min(1),
        startDate: instantSchema.optional(),
        endDate: instantSchema.optional(),
      }),
    ),
  }),
  (b, muId, base) => ({
    ...base,
    kind: 'managementUnitSchedulesChanged',
    managementUnitId: muId,
    agents: b.agents.map((a) => ({
      agentId: a.agentId,
      ...(a.startDate === undefined ? {} : { startAt: a.startDate }),
      ...(a.endDate === undefined ? {} : { endAt: a.endDate }),
    })),
  }),
);

/** `v2.users.{id}.workforcemanagement.timeoffrequests` (reference §3.9). */
export const decodeTimeOffRequest: BodyDecoder = bodyDecoder(
  z.object({
    id: z.string().min(1),
    status: z.enum(['PENDING', 'APPROVED', 'DENIED', 'CANCELED']),
    substatus: z.string().nullish(),
    isFullDayRequest: z.boolean().optional(),
    activityCodeId: z.string().optional(),
    fullDayManagementUnitDates: z.array(z.string()).optional(),
    partialDayStartDateTimes: z.array(instantSchema).optional(),
    dailyDurationMinutes: z.number().optional(),
  }),
  (b, agentId, base) => ({
    ...base,
    kind: 'timeOffRequest',
    agentId,
    requestId: b.id,
    status: b.status,
    ...(b.substatus == null ? {} : { substatus: b.substatus }),
    ...(b.isFullDayRequest === undefined ? {} : { isFullDayRequest: b.isFullDayRequest }),
    ...(b.activityCodeId === undefined ? {} : { activityCodeId: b.activityCodeId }),
    ...(b.fullDayManagementUnitDates === undefined ? {} : { fullDayDates: b.fullDayManagementUnitDates }),
    ...(b.partialDayStartDateTimes === undefined ? {} : { partialDayStartAts: b.partialDayStartDateTimes }),
    ...(b.dailyDurationMinutes === undefined ? {} : { dailyDurationMinutes: b.dailyDurationMinutes }),
  }),
);
