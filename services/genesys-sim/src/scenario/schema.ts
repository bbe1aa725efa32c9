import { IANAZone } from 'luxon';
import { z } from 'zod';
import { calendarDateSchema, clockTimeSchema, wallTimeSchema } from './calendar.js';
import {
  presenceSpecSchema,
  routingStatusSchema,
  scheduleActivitySpecSchema,
  systemPresenceSchema,
  worldActionSchema,
} from './schema-actions.js';

const localDateTime = wallTimeSchema;
const localDate = calendarDateSchema;
const clockTime = clockTimeSchema;
const zone = z.string().refine((value) => IANAZone.isValidZone(value), { message: 'unknown IANA time zone' });
const id = z.string().min(1);
const probability = z.number().min(0).max(1);
const range = z
  .strictObject({ min: z.number().nonnegative(), max: z.number().nonnegative() })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

export const ACTIVITY_CATEGORIES = [
  'OnQueueWork',
  'Break',
  'Meal',
  'Meeting',
  'Training',
  'TimeOff',
  'OffQueueWork',
  'Unavailable',
] as const;

const PERMISSIONS = ['wfm', 'presence', 'routing', 'telephony', 'directory'] as const;

const oauthClientSchema = z.strictObject({
  clientId: id,
  clientSecret: z.string().min(1),
  tokenLifetimeSec: z.number().int().positive().default(86400),
  permissions: z.array(z.enum(PERMISSIONS)).default([...PERMISSIONS]),
  /** Requests per minute over all the client's tokens before 429 (absent: only the per-token limit). */
  rateLimitPerMinute: z.number().int().positive().optional(),
});

const platformSchema = z.strictObject({
  /** On Queue with joined queues but no associated station: still IDLE (default) or OFF_QUEUE. [UNVERIFIED] */
  onQueueWithoutStation: z.enum(['idle', 'off-queue']).default('idle'),
  /** MU schedule search answer: result inline (`sync`, default) or a `downloadUrl` (`download`). */
  scheduleSearchAnswer: z.enum(['sync', 'download']).default('sync'),
  alertingTimeoutSec: z.number().positive().default(8),
  routingPutAccepts: z.array(routingStatusSchema).min(1).default(['IDLE', 'OFF_QUEUE']),
  /** Most items one `PUT /api/v2/users/presences/bulk` takes; more get 400. [UNVERIFIED] */
  presenceBulkMax: z.number().int().positive().default(50),
  routingPutRequiresOnQueue: z.boolean().default(false),
  /** `GET .../routingstatus` of an unknown user: OFF_QUEUE as the SDK documents (default), or 404. */
  unknownUserRoutingStatus: z.enum(['off-queue', 'not-found']).default('off-queue'),
  /** How long a waiting call stays in queue before the caller abandons. */
  queueAbandonAfterSec: z.number().positive().default(120),
  /** Default delay of `revert-presence` reverts. */
  revertAfterMs: z.number().int().nonnegative().default(3000),
  /** A hidden platform fault: agents matching the condition lose their station when they log in. */
  loginStationFailure: z
    .strictObject({
      scheduleChangedWithinHours: z.number().positive().default(24),
      requirePendingTimeOff: z.boolean().default(true),
      effect: z.enum(['kill', 'disassociate']).default('kill'),
    })
    .optional(),
});

const behaviourSchema = z.strictObject({
  answerProbability: probability.default(1),
  answerDelaySec: range.default({ min: 1, max: 3 }),
  /** Seconds after which the agent re-selects On Queue to leave NOT_RESPONDING; null = never. */
  recoverFromNotRespondingSec: z.number().nonnegative().nullable().default(15),
  /** The agent changes presence at schedule activity boundaries (logging in, breaks, meals, logging out). */
  followsSchedule: z.boolean().default(false),
  scheduleLagSec: range.default({ min: 0, max: 20 }),
  /** Probability that the agent follows a given schedule boundary. */
  scheduleAdherence: probability.default(1),
  wrapupMultiplier: z.number().positive().default(1),
});

const scheduleRefSchema = z.strictObject({
  template: id,
  /** Minutes added to every template time, cycled by agent index within the group. */
  staggerMinutes: z.array(z.number().int()).min(1).optional(),
});

const initialCallSchema = z.strictObject({ queueId: id, remainingSec: range });

const agentCommon = {
  divisionId: id.optional(),
  managementUnitId: id.optional(),
  queues: z.array(id).default([]),
  joined: z.boolean().default(true),
  presence: presenceSpecSchema.default('Offline'),
  station: z.enum(['associated', 'disassociated', 'dead', 'none']).default('associated'),
  outOfOffice: z.boolean().default(false),
  initialCall: initialCallSchema.optional(),
  behaviour: behaviourSchema.prefault({}),
  schedule: scheduleRefSchema.optional(),
  revertPresence: z.boolean().default(false),
  stickyNotResponding: z.boolean().default(false),
  /** Marks the agent's schedule as changed this many hours before the scenario start. */
  scheduleChangedHoursAgo: z.number().nonnegative().optional(),
};

const agentSchema = z.strictObject({ id, name: z.string().min(1), ...agentCommon });

const agentGroupSchema = z.strictObject({
  id,
  count: z.number().int().positive().max(200_000),
  /** Placeholders: `{n}` (1-based index), `{n:W}` (zero-padded to W digits), `{group}`. Default: a UUID per agent. */
  idPattern: z.string().min(1).optional(),
  namePattern: z.string().min(1).default('{group} {n}'),
  ...agentCommon,
});

const templateShiftSchema = z.strictObject({
  dates: z.array(localDate).min(1),
  activities: z
    .array(
      z.strictObject({ start: clockTime, lengthMinutes: z.number().int().positive(), activityCodeId: id }),
    )
    .min(1),
});

const agentScheduleSchema = z.strictObject({
  agentId: id,
  shifts: z.array(
    z.strictObject({ id: id.optional(), activities: z.array(scheduleActivitySpecSchema).min(1) }),
  ),
});

const timeOffSchema = z.strictObject({
  id: id.optional(),
  agentId: id,
  status: z.enum(['PENDING', 'APPROVED', 'DENIED', 'CANCELED']),
  fullDayDates: z.array(localDate).optional(),
  partialStart: z.string().optional(),
  minutes: z.number().int().positive().optional(),
  activityCodeId: id.optional(),
  notes: z.string().default(''),
});

const forAgentsSchema = z.strictObject({
  group: id.optional(),
  ids: z.array(id).optional(),
  /** 1-based inclusive index range within the group. */
  from: z.number().int().positive().optional(),
  to: z.number().int().positive().optional(),
  /** Spread the per-agent actions uniformly (seeded) over this many ms after `at`. */
  spreadMs: z.number().int().nonnegative().default(0),
});

const timelineEntrySchema = z.strictObject({
  /** `+<seconds>` after the start, `HH:mm[:ss]` on the start date, or `YYYY-MM-DDTHH:mm[:ss]`. */
  at: z.string().min(1),
  /** Zone of `at` when it is a wall time: a management-unit id or IANA zone; default the scenario zone. */
  zone: z.string().min(1).optional(),
  action: worldActionSchema,
  /** Runs the action once per agent, replacing its `agentId` (write `"*"`). */
  forAgents: forAgentsSchema.optional(),
});

/** The scenario file format. Every field is documented in docs/genesys-sim.md. */
export const scenarioSchema = z.strictObject({
  name: id,
  description: z.string().default(''),
  seed: z.number().int().default(1),
  start: z.strictObject({ local: localDateTime, zone }),
  speed: z.number().positive().default(1),
  org: z.strictObject({ id, name: z.string().min(1) }).default({
    id: '5e0c6a1e-7a7d-4c1b-9d0e-0a11ce5a0001',
    name: 'Lockstep Simulated Org',
  }),
  oauthClients: z
    .array(oauthClientSchema)
    .min(1)
    .default([
      {
        clientId: 'lockstep-demo',
        clientSecret: 'lockstep-demo-secret',
        tokenLifetimeSec: 86400,
        permissions: [...PERMISSIONS],
      },
    ]),
  platform: platformSchema.prefault({}),
  divisions: z
    .array(z.strictObject({ id, name: z.string().min(1) }))
    .min(1)
    .default([{ id: '0d1f1e2a-0000-4000-8000-000000000001', name: 'Home' }]),
  presenceDefinitions: z
    .array(z.strictObject({ id, name: z.string().min(1), systemPresence: systemPresenceSchema }))
    .default([]),
  queues: z
    .array(
      z.strictObject({
        id,
        name: z.string().min(1),
        divisionId: id.optional(),
        callsPerMinute: z.number().nonnegative().default(0),
        alertingTimeoutSec: z.number().positive().optional(),
        handleTimeSec: z.strictObject({ mean: z.number().positive() }).default({ mean: 180 }),
        wrapupSec: z.number().nonnegative().default(10),
      }),
    )
    .default([]),
  businessUnits: z
    .array(z.strictObject({ id, name: z.string().min(1), timeZone: zone.optional() }))
    .default([]),
  managementUnits: z
    .array(
      z.strictObject({
        id,
        name: z.string().min(1),
        businessUnitId: id,
        timeZone: zone,
        divisionId: id.optional(),
      }),
    )
    .default([]),
  /** Per business unit; when absent a BU gets the default codes "0".."7". */
  activityCodes: z
    .array(
      z.strictObject({
        id,
        businessUnitId: id,
        name: z.string().min(1),
        category: z.enum(ACTIVITY_CATEGORIES),
        lengthInMinutes: z.number().int().positive().optional(),
        paid: z.boolean().default(true),
      }),
    )
    .default([]),
  scheduleTemplates: z
    .record(z.string(), z.strictObject({ shifts: z.array(templateShiftSchema).min(1) }))
    .default({}),
  agents: z.array(agentSchema).default([]),
  agentGroups: z.array(agentGroupSchema).default([]),
  schedules: z.array(agentScheduleSchema).default([]),
  timeOffRequests: z.array(timeOffSchema).default([]),
  timeline: z.array(timelineEntrySchema).default([]),
});

/** A parsed, validated scenario (defaults applied). */
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioAgent = z.output<typeof agentSchema>;
export type ScenarioAgentGroup = z.output<typeof agentGroupSchema>;
export type AgentBehaviour = z.output<typeof behaviourSchema>;
export type PlatformOptions = z.output<typeof platformSchema>;
export type TimelineEntry = z.output<typeof timelineEntrySchema>;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];
