import { type IncidentDoc, InvalidInputError } from '@lockstep/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { cursorSchema, idSchema, problemResponses } from '../schemas.js';

const query = z.strictObject({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const memberSchema = z.object({
  agentId: z.string(),
  findingId: z.string(),
  openedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});

const causeSchema = z.object({
  id: z.string(),
  text: z.string(),
  affected: z.number(),
  affectedShare: z.number(),
  baselineShare: z.number(),
  lift: z.number(),
});

const incidentSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    status: z.enum(['open', 'resolved']),
    openedAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    summary: z.string(),
    agents: z.number().int(),
    failing: z.number().int(),
    members: z.array(memberSchema),
    commonCause: z.array(causeSchema),
  })
  .meta({ id: 'Incident' });

type Incident = z.infer<typeof incidentSchema>;

const iso = (ms: unknown) =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
const text = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];

/** An incident as stored by the engine's grouper, in the API's shape (instants as ISO text). Pure. */
function view(doc: IncidentDoc): Incident {
  const members = list(doc['members']).map((m) => ({
    agentId: text(m['agentId']),
    findingId: text(m['findingId']),
    openedAt: iso(m['openedAt']),
    resolvedAt: iso(m['resolvedAt']),
  }));
  return {
    id: doc.id,
    ruleId: text(doc['ruleId']),
    status: doc.status,
    openedAt: iso(doc['openedAt']),
    updatedAt: iso(doc.updatedAt),
    resolvedAt: iso(doc['resolvedAt']),
    summary: text(doc['summary']),
    agents: members.length,
    failing: members.filter((m) => m.resolvedAt === null).length,
    members,
    commonCause: list(doc['commonCause']).map((c) => ({
      id: text(c['id']),
      text: text(c['text']),
      affected: num(c['affected']),
      affectedShare: num(c['affectedShare']),
      baselineShare: num(c['baselineShare']),
      lift: num(c['lift']),
    })),
  };
}

/** `GET /incidents` (open, resolved or all; newest change first; a cursor) and `GET /incidents/{id}`. */
export function incidentRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/incidents',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['incidents'],
          summary: 'Incidents: many agents failing one rule together, with what they have in common',
          security: [{ bearer: [] }],
          querystring: query,
          response: {
            200: z.object({ incidents: z.array(incidentSchema), nextCursor: z.string().nullable() }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const q = request.query;
        try {
          const page = await ctx.incidents.listIncidents({
            status: q.status,
            cursor: q.cursor ?? null,
            limit: q.limit,
          });
          return { incidents: page.incidents.map(view), nextCursor: page.cursor };
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          throw new ApiError('VALIDATION_FAILED', 'cursor is not one this listing returned', {
            errors: [
              { location: 'querystring/cursor', message: 'must be a cursor returned by a previous page' },
            ],
          });
        }
      },
    );

    app.get(
      '/incidents/:id',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['incidents'],
          summary: 'One incident with its agents and common cause',
          security: [{ bearer: [] }],
          params: z.strictObject({ id: idSchema }),
          response: { 200: incidentSchema, ...problemResponses },
        },
      },
      async (request) => {
        const doc = await ctx.incidents.getIncident(request.params.id);
        if (doc === null) throw new ApiError('NOT_FOUND', `no incident ${request.params.id}`);
        return view(doc);
      },
    );
  };
}
