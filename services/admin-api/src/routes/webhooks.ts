import { randomUUID } from 'node:crypto';
import {
  ALERT_SEVERITIES,
  ALERT_TYPES,
  type AttemptLogEntry,
  buildTestAlert,
  type DeadLetter,
  isValidSecret,
  type Subscription,
  SYSTEM_LANE,
  WebhookInputError,
  WebhookNotFoundError,
} from '@lockstep/webhooks';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError, type ProblemItem } from '../errors.js';
import { isoTime, problemResponses, problemSchema } from '../schemas.js';

const MAX_OVERLAP_MS = 7 * 24 * 3_600_000;
const DEFAULT_OVERLAP_MS = 24 * 3_600_000;

const subscriptionId = z.string().regex(/^wh_[A-Za-z0-9_-]{1,64}$/, 'must be a subscription id (wh_...)');
const params = z.object({ id: subscriptionId });
const deadLetterParams = z.object({
  id: z
    .string()
    .regex(
      /^wh_[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,100}$/,
      'must be a dead letter id (<subscriptionId>:<alertId>)',
    ),
});

const idList = z.array(z.string().min(1).max(200)).max(1_000);
const filtersBody = z.strictObject({
  ruleIds: idList.optional(),
  queueIds: idList.optional(),
  divisionIds: idList.optional(),
  managementUnitIds: idList.optional(),
});
const fields = {
  url: z.string().min(1).max(2_000),
  eventTypes: z.array(z.enum(ALERT_TYPES)).max(ALERT_TYPES.length).optional(),
  minSeverity: z.enum(ALERT_SEVERITIES).nullable().optional(),
  filters: filtersBody.optional(),
  description: z.string().max(500).optional(),
  enabled: z.boolean().optional(),
};
const createBody = z.strictObject({
  ...fields,
  // A caller-provided secret, for a receiver started with a known one. The message never echoes it.
  secret: z
    .string()
    .max(200)
    .refine(isValidSecret, 'must be whsec_ followed by the base64 of 24-64 bytes')
    .optional(),
});
const patchBody = z
  .strictObject({ ...fields, url: fields.url.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

const backlogSchema = z.object({
  queued: z.number().int(),
  oldestQueuedAt: z.string().nullable(),
  deadLetters: z.number().int(),
});
const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.enum(ALERT_TYPES)),
    minSeverity: z.enum(ALERT_SEVERITIES).nullable(),
    filters: z.object({
      ruleIds: z.array(z.string()),
      queueIds: z.array(z.string()),
      divisionIds: z.array(z.string()),
      managementUnitIds: z.array(z.string()),
    }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    description: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    previousSecretExpiresAt: z.string().nullable(),
    backlog: backlogSchema,
  })
  .meta({ id: 'Webhook' });
const attemptSchema = z
  .object({
    alertId: z.string(),
    type: z.string(),
    at: z.string(),
    attempt: z.number().int(),
    status: z.number().int(),
    error: z.string().nullable(),
    latencyMs: z.number(),
    outcome: z.enum(['delivered', 'retry', 'dead']),
    excerpt: z.string(),
  })
  .meta({ id: 'WebhookAttempt' });
const deadLetterSchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    alertId: z.string(),
    agentId: z.string().nullable(),
    type: z.string(),
    diedAt: z.string(),
    queuedAt: z.string(),
    attempts: z.number().int(),
    lastStatus: z.string(),
  })
  .meta({ id: 'DeadLetter' });

const iso = (ms: number) => new Date(ms).toISOString();

function attemptView(e: AttemptLogEntry): z.infer<typeof attemptSchema> {
  return { ...e, at: iso(e.at) };
}

function deadLetterView(d: DeadLetter): z.infer<typeof deadLetterSchema> {
  return {
    id: d.id,
    subscriptionId: d.record.subscriptionId,
    alertId: d.record.alertId,
    agentId: d.record.laneId === SYSTEM_LANE ? null : d.record.laneId,
    type: d.record.type,
    diedAt: iso(d.diedAt),
    queuedAt: iso(d.record.createdAt),
    attempts: d.record.attempts,
    lastStatus: d.record.lastStatus,
  };
}

/** The URL's origin only, for the audit: a webhook URL's path or query often is a credential of its own. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid)';
  }
}

/**
 * Translates the errors of `@lockstep/webhooks` into problems: a refused URL is `URL_REFUSED` (422) naming
 * why; other input problems are `VALIDATION_FAILED` (400); an unknown id is `NOT_FOUND`.
 */
function toProblem(err: unknown): unknown {
  if (err instanceof WebhookNotFoundError) return new ApiError('NOT_FOUND', err.message);
  if (!(err instanceof WebhookInputError)) return err;
  const errors: ProblemItem[] = err.problems.map((p) => {
    const colon = p.indexOf(': ');
    const field = colon > 0 ? p.slice(0, colon) : '';
    return {
      location: field === '' || field === '(body)' ? 'body' : `body/${field.replaceAll('.', '/')}`,
      message: colon > 0 ? p.slice(colon + 2) : p,
    };
  });
  const refused = errors.find(
    (e) => e.location === 'body/url' && e.message.startsWith('webhook URL refused'),
  );
  if (refused !== undefined && errors.length === 1) {
    return new ApiError('URL_REFUSED', refused.message, { errors });
  }
  return new ApiError(
    'VALIDATION_FAILED',
    `${errors.length} problem${errors.length === 1 ? '' : 's'} in the request body`,
    { errors },
  );
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toProblem(err);
  }
}

/**
 * Webhook subscriptions and their deliveries (scope `admin`): `POST/GET /webhooks`, `GET/PATCH/DELETE
 * /webhooks/{id}`, `POST /webhooks/{id}/test|rotate-secret|recover`, `GET /webhooks/{id}/deliveries`,
 * `GET /dead-letters`, `POST /dead-letters/{id}/replay`. Secrets appear only in the answers of creation and
 * rotation; never in logs or the audit.
 */
export function webhookRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const security = [{ bearer: [] }];
  const config = { scope: 'admin' as const };
  const tags = ['webhooks'];
  const refusable = { ...problemResponses, 422: problemSchema };

  async function view(sub: Subscription): Promise<z.infer<typeof webhookSchema>> {
    const backlog = await ctx.deliveries.backlog(sub.id);
    return {
      ...sub,
      eventTypes: [...sub.eventTypes],
      filters: {
        ruleIds: [...sub.filters.ruleIds],
        queueIds: [...sub.filters.queueIds],
        divisionIds: [...sub.filters.divisionIds],
        managementUnitIds: [...sub.filters.managementUnitIds],
      },
      createdAt: iso(sub.createdAt),
      updatedAt: iso(sub.updatedAt),
      previousSecretExpiresAt: sub.previousSecretExpiresAt === null ? null : iso(sub.previousSecretExpiresAt),
      backlog: {
        queued: backlog.count,
        oldestQueuedAt: backlog.oldestAt === null ? null : iso(backlog.oldestAt),
        deadLetters: backlog.dead,
      },
    };
  }

  return async (app) => {
    app.post(
      '/webhooks',
      {
        config,
        schema: {
          tags,
          summary: 'Creates a webhook subscription; the signing secret is shown in this answer only',
          security,
          body: createBody,
          response: { 201: webhookSchema.extend({ secret: z.string() }), ...refusable },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const { subscription, secret } = await call(() => ctx.subscriptions.create(request.body));
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'webhook.create',
          target: subscription.id,
          detail: {
            origin: originOf(subscription.url),
            eventTypes: subscription.eventTypes,
            minSeverity: subscription.minSeverity,
            secretProvided: request.body.secret !== undefined,
          },
        });
        return reply.code(201).send({ ...(await view(subscription)), secret });
      },
    );
    app.get(
      '/webhooks',
      {
        config,
        schema: {
          tags,
          summary: 'Lists webhook subscriptions with their backlog (never a secret)',
          security,
          response: { 200: z.object({ webhooks: z.array(webhookSchema) }), ...problemResponses },
        },
      },
      async () => ({
        webhooks: await Promise.all((await call(() => ctx.subscriptions.list())).map(view)),
      }),
    );
    app.get(
      '/webhooks/:id',
      {
        config,
        schema: {
          tags,
          summary: 'One webhook subscription with its backlog (never a secret)',
          security,
          params,
          response: { 200: webhookSchema, ...problemResponses },
        },
      },
      async (request) => view(await call(() => ctx.subscriptions.get(request.params.id))),
    );
    app.patch(
      '/webhooks/:id',
      {
        config,
        schema: {
          tags,
          summary:
            'Changes a subscription (URL, filters, description, enabled); enabling clears its failing period',
          security,
          params,
          body: patchBody,
          response: { 200: webhookSchema, ...refusable },
        },
      },
      async (request) => {
        const who = principalOf(request);
        const updated = await call(() => ctx.subscriptions.update(request.params.id, request.body));
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'webhook.update',
          target: updated.id,
          detail: {
            fields: Object.keys(request.body).sort(),
            ...(request.body.url === undefined ? {} : { origin: originOf(updated.url) }),
            ...(request.body.enabled === undefined ? {} : { enabled: request.body.enabled }),
          },
        });
        return view(updated);
      },
    );
    app.delete(
      '/webhooks/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Deletes a subscription with its queue, dead letters and delivery log',
          security,
          params,
          response: { 204: z.null(), ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        if (!(await call(() => ctx.subscriptions.remove(request.params.id)))) {
          throw new ApiError('NOT_FOUND', `no webhook subscription ${request.params.id}`);
        }
        await ctx.audit.record({ keyId: who.keyId, action: 'webhook.delete', target: request.params.id });
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/webhooks/:id/test',
      {
        config,
        schema: {
          tags,
          summary: 'Queues a webhook.test alert for this subscription, delivered like any alert',
          security,
          params,
          response: {
            202: z.object({
              subscriptionId: z.string(),
              alertId: z.string(),
              type: z.literal('webhook.test'),
            }),
            ...problemResponses,
            409: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const sub = await call(() => ctx.subscriptions.get(request.params.id));
        if (!sub.enabled) {
          throw new ApiError(
            'CONFLICT',
            `subscription ${sub.id} is disabled (${sub.disabledReason ?? 'by an operator'}); enable it first`,
          );
        }
        const alert = buildTestAlert(sub.id, randomUUID(), ctx.now());
        await call(() => ctx.deliveries.enqueue(sub.id, alert));
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'webhook.test',
          target: sub.id,
          detail: { alertId: alert.id },
        });
        return reply
          .code(202)
          .send({ subscriptionId: sub.id, alertId: alert.id, type: 'webhook.test' as const });
      },
    );
    app.post(
      '/webhooks/:id/rotate-secret',
      {
        config,
        schema: {
          tags,
          summary:
            'Issues a new signing secret (shown in this answer only); the old one keeps signing for the overlap',
          security,
          params,
          body: z
            .strictObject({
              overlapMs: z.number().int().min(0).max(MAX_OVERLAP_MS).optional(),
            })
            // No body at all (null to Fastify) rotates with the default overlap.
            .nullish(),
          response: {
            200: z.object({
              subscriptionId: z.string(),
              secret: z.string(),
              previousSecretExpiresAt: z.string().nullable(),
            }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const who = principalOf(request);
        const overlapMs = request.body?.overlapMs ?? DEFAULT_OVERLAP_MS;
        const { secret, previousExpiresAt } = await call(() =>
          ctx.subscriptions.rotateSecret(request.params.id, overlapMs),
        );
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'webhook.rotate-secret',
          target: request.params.id,
          detail: { overlapMs },
        });
        return {
          subscriptionId: request.params.id,
          secret,
          previousSecretExpiresAt: overlapMs === 0 ? null : iso(previousExpiresAt),
        };
      },
    );
    app.get(
      '/webhooks/:id/deliveries',
      {
        config,
        schema: {
          tags,
          summary: 'The delivery log of a subscription, newest attempt first (bounded)',
          security,
          params,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100) }),
          response: {
            200: z.object({
              subscriptionId: z.string(),
              backlog: backlogSchema,
              deliveries: z.array(attemptSchema),
            }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const sub = await call(() => ctx.subscriptions.get(request.params.id));
        const [{ backlog }, log] = await Promise.all([
          view(sub),
          ctx.deliveries.log(sub.id, request.query.limit),
        ]);
        return { subscriptionId: sub.id, backlog, deliveries: log.map(attemptView) };
      },
    );
    app.post(
      '/webhooks/:id/recover',
      {
        config,
        schema: {
          tags,
          summary: 'Replays every dead letter of the subscription that died at or after `since`',
          security,
          params,
          body: z.strictObject({ since: isoTime }),
          response: {
            202: z.object({ subscriptionId: z.string(), since: z.string(), replayed: z.number().int() }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const sub = await call(() => ctx.subscriptions.get(request.params.id));
        const since = Date.parse(request.body.since);
        const replayed = await call(() => ctx.deliveries.recover(sub.id, since));
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'webhook.recover',
          target: sub.id,
          detail: { since: iso(since), replayed },
        });
        return reply.code(202).send({ subscriptionId: sub.id, since: iso(since), replayed });
      },
    );
    app.get(
      '/dead-letters',
      {
        config,
        schema: {
          tags,
          summary:
            'Dead letters (deliveries whose retries ran out, or held back by storm control), newest first',
          security,
          querystring: z.object({
            subscriptionId: subscriptionId.optional(),
            since: isoTime.optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
          response: { 200: z.object({ deadLetters: z.array(deadLetterSchema) }), ...problemResponses },
        },
      },
      async (request) => {
        const { limit } = request.query;
        const since = request.query.since === undefined ? undefined : Date.parse(request.query.since);
        const ids =
          request.query.subscriptionId === undefined
            ? (await call(() => ctx.subscriptions.list())).map((s) => s.id)
            : [(await call(() => ctx.subscriptions.get(request.query.subscriptionId as string))).id];
        const all = (
          await Promise.all(
            ids.map((id) =>
              ctx.deliveries.deadLetters(id, { limit, ...(since === undefined ? {} : { since }) }),
            ),
          )
        ).flat();
        all.sort((a, b) => b.diedAt - a.diedAt || a.id.localeCompare(b.id));
        return { deadLetters: all.slice(0, limit).map(deadLetterView) };
      },
    );
    app.post(
      '/dead-letters/:id/replay',
      {
        config,
        schema: {
          tags,
          summary: 'Puts one dead letter back at the end of its lane with a fresh attempt count',
          security,
          params: deadLetterParams,
          response: { 202: z.object({ replayed: z.string() }), ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        await call(() => ctx.deliveries.replay(request.params.id));
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'dead-letter.replay',
          target: request.params.id,
        });
        return reply.code(202).send({ replayed: request.params.id });
      },
    );
  };
}
