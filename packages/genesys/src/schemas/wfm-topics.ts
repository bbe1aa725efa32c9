import { z } from 'zod';
import { idRefSchema, instantSchema, normalizeSystemPresence } from './common.js';
import { type BodyDecoder, bodyDecoder, definedOnly } from './decoder.js';
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
): Omit<AdherenceEvent, keyof EventBase> {
  return {
    kind: 'adherence',
    agentId,
    via,
    adherenceState: b.adherenceState,
    managementUnitId: muId ?? b.managementUnitId,
    scheduledActivityCategory: b.scheduledActivityCategory,
    scheduledActivityCodeId: b.scheduledActivityCode?.id,
    actualActivityCategory: b.actualActivityCategory,
    systemPresence: b.systemPresence === undefined ? undefined : normalizeSystemPresence(b.systemPresence),
    routingStatus: b.routingStatus,
    impact: b.impact,
    isOutOfOffice: b.isOutOfOffice,
    changedAt: b.adherenceChangeTime,
    presenceUpdatedAt: b.presenceUpdateTime,
    removedFromManagementUnit: b.removedFromManagementUnit,
  };
}

/** `v2.users.{id}.workforcemanagement.adherence`: the agent comes from the topic. */
export const decodeUserAdherence: BodyDecoder = bodyDecoder(adherenceBody, (b, agentId) =>
  adherenceEvent(b, agentId, 'user', undefined),
);

/** `v2.workforcemanagement.managementunits.{id}.adherence`: the agent comes from `user.id` (required). */
export const decodeManagementUnitAdherence: BodyDecoder = bodyDecoder(
  adherenceBody.extend({ user: idRefSchema }),
  (b, muId) => adherenceEvent(b, b.user.id, 'managementUnit', muId),
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
  (b, agentId) => ({
    kind: 'scheduleChanged',
    agentId,
    startAt: b.startDate,
    endAt: b.endDate,
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
  (b, muId) => ({
    kind: 'managementUnitSchedulesChanged',
    managementUnitId: muId,
    agents: b.agents.map((a) => definedOnly({ agentId: a.agentId, startAt: a.startDate, endAt: a.endDate })),
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
  (b, agentId) => ({
    kind: 'timeOffRequest',
    agentId,
    requestId: b.id,
    status: b.status,
    substatus: b.substatus ?? undefined,
    isFullDayRequest: b.isFullDayRequest,
    activityCodeId: b.activityCodeId,
    fullDayDates: b.fullDayManagementUnitDates,
    partialDayStartAts: b.partialDayStartDateTimes,
    dailyDurationMinutes: b.dailyDurationMinutes,
  }),
);
