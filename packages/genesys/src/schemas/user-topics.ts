import { z } from 'zod';
import { idRefSchema, instantSchema, routingStatusSchema, systemPresenceSchema } from './common.js';
import { type BodyDecoder, bodyDecoder, definedOnly } from './decoder.js';
import type { InteractionCounts } from './events.js';

const presenceDefinition = z.object({ id: z.string().min(1), systemPresence: systemPresenceSchema });

/** `v2.users.{id}.presence` (reference §3.1). */
export const decodePresence: BodyDecoder = bodyDecoder(
  z.object({
    presenceDefinition,
    source: z.string().optional(),
    primary: z.boolean().optional(),
    message: z.string().nullish(),
    modifiedDate: instantSchema.optional(),
  }),
  (b, agentId) => ({
    kind: 'presence',
    agentId,
    systemPresence: b.presenceDefinition.systemPresence,
    definitionId: b.presenceDefinition.id,
    primary: b.primary,
    source: b.source,
    message: b.message ?? undefined,
    modifiedAt: b.modifiedDate,
  }),
);

const routingStatusObject = z.object({ status: routingStatusSchema, startTime: instantSchema.optional() });

/** `v2.users.{id}.routingStatus` (reference §3.2). */
export const decodeRoutingStatus: BodyDecoder = bodyDecoder(
  z.object({ routingStatus: routingStatusObject }),
  (b, agentId) => ({
    kind: 'routingStatus',
    agentId,
    status: b.routingStatus.status,
    startedAt: b.routingStatus.startTime,
  }),
);

/** `v2.users.{id}.activity` (reference §3.3). */
export const decodeActivity: BodyDecoder = bodyDecoder(
  z.object({
    routingStatus: routingStatusObject.optional(),
    presence: z.object({ presenceDefinition, modifiedDate: instantSchema.optional() }).optional(),
    outOfOffice: z.object({ active: z.boolean() }).optional(),
    activeQueueIds: z.array(z.string()).optional(),
  }),
  (b, agentId) => ({
    kind: 'activity',
    agentId,
    routingStatus:
      b.routingStatus === undefined
        ? undefined
        : definedOnly({ status: b.routingStatus.status, startedAt: b.routingStatus.startTime }),
    presence:
      b.presence === undefined
        ? undefined
        : definedOnly({
            systemPresence: b.presence.presenceDefinition.systemPresence,
            definitionId: b.presence.presenceDefinition.id,
            modifiedAt: b.presence.modifiedDate,
          }),
    outOfOffice: b.outOfOffice?.active,
    activeQueueIds: b.activeQueueIds,
  }),
);

/** `v2.users.{id}.station` (reference §3.6); no or empty `associatedStation` means "no station". */
export const decodeStation: BodyDecoder = bodyDecoder(
  z.object({
    associatedStation: z.object({ id: z.string().optional(), name: z.string().optional() }).nullish(),
  }),
  (b, agentId) => {
    const id = b.associatedStation?.id;
    return {
      kind: 'station',
      agentId,
      stationId: id !== undefined && id !== '' ? id : null,
      stationName: b.associatedStation?.name,
    };
  },
);

const counts = z.object({ active: z.number().int().nonnegative(), acw: z.number().int().nonnegative() });
const mediaSummary = z.object({ contactCenter: counts.optional(), enterprise: counts.optional() });
const SUMMARY_MEDIA = ['call', 'callback', 'email', 'message', 'chat', 'socialExpression', 'video'] as const;

/** `v2.users.{id}.conversationsummary` (reference §3.5), summed over media types. */
export const decodeConversationSummary: BodyDecoder = bodyDecoder(
  z.object(Object.fromEntries(SUMMARY_MEDIA.map((m) => [m, mediaSummary.optional()]))),
  (b, agentId) => {
    let cc: InteractionCounts = { active: 0, acw: 0 };
    let ent: InteractionCounts = { active: 0, acw: 0 };
    for (const m of SUMMARY_MEDIA) {
      const s = b[m];
      if (s?.contactCenter)
        cc = { active: cc.active + s.contactCenter.active, acw: cc.acw + s.contactCenter.acw };
      if (s?.enterprise) ent = { active: ent.active + s.enterprise.active, acw: ent.acw + s.enterprise.acw };
    }
    return { kind: 'conversationSummary', agentId, contactCenter: cc, enterprise: ent };
  },
);

/** `v2.users.{id}.outofoffice` (reference §3.7). */
export const decodeOutOfOffice: BodyDecoder = bodyDecoder(
  z.object({
    active: z.boolean(),
    indefinite: z.boolean().optional(),
    startDate: instantSchema.nullish(),
    endDate: instantSchema.nullish(),
    user: idRefSchema.optional(),
  }),
  (b, agentId) => ({
    kind: 'outOfOffice',
    agentId,
    active: b.active,
    indefinite: b.indefinite,
    startAt: b.startDate ?? undefined,
    endAt: b.endDate ?? undefined,
  }),
);
