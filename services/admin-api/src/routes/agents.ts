import { ROUTING_STATUSES, SYSTEM_PRESENCES } from '@lockstep/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agentView, HISTORY_KINDS, historyKinds, membershipsView } from '../agent-view.js';
import { principalOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import {
  agentParams,
  cursorSchema,
  decodeCursor,
  encodeCursor,
  idSchema,
  problemResponses,
} from '../schemas.js';

const signalView = z.object({
  value: z.unknown(),
  since: z.string().nullable(),
  seenAt: z.string().nullable(),
  source: z.string(),
});

/** An agent's memberships from the agent directory (`null`: no engine watches the agent). */
const membershipsSchema = z
  .object({
    queueIds: z.array(z.string()),
    divisionId: z.string().nullable(),
    managementUnitId: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .nullable()
  .meta({ id: 'AgentMemberships' });

const agentSchema = z
  .object({
    agentId: z.string(),
    name: z.string().nullable(),
    memberships: membershipsSchema,
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    state: z.string(),
    machine: z.object({
      value: z.unknown(),
      status: z.string().nullable(),
      health: z.string().nullable(),
      wfm: z.unknown(),
      clock: z.string().nullable(),
      deadline: z.string().nullable(),
    }),
    signals: z.record(z.string(), signalView),
    findings: z.array(
      z.object({
        id: z.string(),
        ruleId: z.string(),
        severity: z.string(),
        action: z.string().nullable(),
        summary: z.string(),
        since: z.string().nullable(),
        openedAt: z.string().nullable(),
        updatedAt: z.string().nullable(),
        facts: z.array(z.unknown()),
        correction: z.unknown(),
      }),
    ),
    desiredState: z
      .object({
        presence: z.string().nullable(),
        routing: z.string().nullable(),
        source: z.string(),
        validFrom: z.string().nullable(),
        validUntil: z.string().nullable(),
        outcome: z.enum(['pending', 'applied', 'expired']).nullable(),
      })
      .nullable(),
    schedule: signalView.nullable(),
    lastCorrections: z.array(z.string().nullable()),
    pendingOutbox: z.number().int(),
  })
  .meta({ id: 'Agent' });

const listQuery = z.strictObject({
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  presence: z.enum(SYSTEM_PRESENCES).optional(),
  routingStatus: z.enum(ROUTING_STATUSES).optional(),
  rule: idSchema.optional(),
  openFinding: z.enum(['true']).optional(),
  queue: idSchema.optional(),
  mu: idSchema.optional(),
  division: idSchema.optional(),
  sort: z.enum(['id', 'timeInState', 'name']).default('id'),
});

const listCursor = z.strictObject({
  sort: z.enum(['id', 'timeInState', 'name']),
  id: idSchema,
  since: z.number().optional(),
  name: z.string().max(600).optional(),
});

const SORTS = { id: 'id', timeInState: 'stateSince', name: 'name' } as const;

const summary = z.object({
  agentId: z.string(),
  name: z.string().nullable(),
  memberships: membershipsSchema,
  state: z.string().nullable(),
  presence: z.string().nullable(),
  routingStatus: z.string().nullable(),
  stateSince: z.string().nullable(),
  openFindings: z.array(z.string()),
});

const historyQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,20}-\d{1,20}$/, 'must be a cursor returned by a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  kind: z.enum(HISTORY_KINDS).optional(),
});

const historyEntry = z.object({
  id: z.string(),
  version: z.number(),
  at: z.string().nullable(),
  cause: z.string(),
  detail: z.string(),
  from: z.string(),
  to: z.string(),
  kinds: z.array(z.enum(HISTORY_KINDS)),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Agents: list (indexed filters, cursor), one agent, its history, and a resync request. */
export function agentRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const security = [{ bearer: [] }];
  return async (app) => {
    app.get(
      '/agents',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['agents'],
          summary:
            'Lists agents with indexed filters, sorted by id, by time in state (longest first) or by name (watched agents)',
          security,
          querystring: listQuery,
          response: {
            200: z.object({ agents: z.array(summary), nextCursor: z.string().nullable() }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const sort = SORTS[q.sort];
        let after: { id: string; since?: number; name?: string } | undefined;
        if (q.cursor !== undefined) {
          const c = decodeCursor(q.cursor, listCursor);
          if (c === undefined || c.sort !== q.sort) {
            throw new ApiError('VALIDATION_FAILED', 'cursor is not one this listing returned', {
              errors: [
                { location: 'querystring/cursor', message: 'must be a cursor returned by a previous page' },
              ],
            });
          }
          after = {
            id: c.id,
            ...(c.since === undefined ? {} : { since: c.since }),
            ...(c.name === undefined ? {} : { name: c.name }),
          };
        }
        const tags = [
          q.presence && `presence:${q.presence}`,
          q.routingStatus && `routing:${q.routingStatus}`,
          q.rule && `rule:${q.rule}`,
          q.openFinding && 'finding:open',
          q.queue && `queue:${q.queue}`,
          q.mu && `mu:${q.mu}`,
          q.division && `division:${q.division}`,
        ].filter((t): t is string => typeof t === 'string');
        const page = await ctx.index.list({ tags, sort, limit: q.limit, ...(after ? { after } : {}) });
        // One HMGET per agent, auto-pipelined (agents hash to different Cluster slots: no MULTI/pipeline object).
        const [rows, profiles] = await Promise.all([
          Promise.all(
            page.agents.map((a) => ctx.redis.hmget(ctx.keys.agent(a.agentId), 'state', 'signals', 'fidx')),
          ),
          ctx.profiles.read(page.agents.map((a) => a.agentId)),
        ]);
        const agents = page.agents.map((a, i) => {
          const [state, signalsText, fidx] = rows[i] ?? [];
          let signals: Record<string, { value?: unknown } | undefined> = {};
          try {
            signals = JSON.parse(signalsText ?? '{}') as typeof signals;
          } catch {
            // A corrupt signals document shows as unknown values rather than failing the page.
          }
          const presence = (signals.presence?.value as { system?: unknown } | undefined)?.system;
          const routing = signals.routing?.value;
          const profile = profiles[i] ?? null;
          return {
            agentId: a.agentId,
            name: profile?.name ?? null,
            memberships: membershipsView(profile),
            state: state ?? null,
            presence: typeof presence === 'string' ? presence : null,
            routingStatus: typeof routing === 'string' ? routing : null,
            stateSince: iso(a.stateSince),
            openFindings: (fidx ?? '')
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => l.split('\t')[0] ?? ''),
          };
        });
        const nextCursor =
          page.next === null
            ? null
            : encodeCursor({ sort: q.sort, id: page.next.id, since: page.next.since, name: page.next.name });
        return { agents, nextCursor };
      },
    );

    app.get(
      '/agents/:id',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['agents'],
          summary:
            'One agent: name and memberships, merged signals, machine state, open findings, desired state, last corrections',
          security,
          params: agentParams,
          response: { 200: agentSchema, ...problemResponses },
        },
      },
      async (request) => {
        const [record, [profile]] = await Promise.all([
          ctx.reads.readAgent(request.params.id),
          ctx.profiles.read([request.params.id]),
        ]);
        if (record === null) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
        return agentView(record, profile ?? null, ctx.now());
      },
    );

    app.get(
      '/agents/:id/history',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['agents'],
          summary: "The agent's history, newest first, optionally of one kind",
          security,
          params: agentParams,
          querystring: historyQuery,
          response: {
            200: z.object({ entries: z.array(historyEntry), nextCursor: z.string().nullable() }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const { limit, kind } = request.query;
        if ((await ctx.redis.zscore(ctx.keys.agentsIndex(), request.params.id)) === null) {
          throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
        }
        let before = request.query.cursor;
        const entries: z.infer<typeof historyEntry>[] = [];
        // A kind filter may skip entries: read pages until the page is full or the history ends.
        for (let pages = 0; pages < 20; pages++) {
          const batch = await ctx.reads.readHistory(request.params.id, {
            count: limit,
            ...(before === undefined ? {} : { before }),
          });
          for (const e of batch) {
            before = e.id;
            const kinds = historyKinds(e);
            if (kind !== undefined && !kinds.includes(kind)) continue;
            entries.push({ ...e, at: iso(Number.isFinite(e.at) ? e.at : null), kinds });
            if (entries.length === limit) return { entries, nextCursor: e.id };
          }
          if (batch.length < limit) return { entries, nextCursor: null };
        }
        return { entries, nextCursor: before ?? null };
      },
    );

    app.post(
      '/agents/:id/resync',
      {
        config: { scope: 'operate' },
        schema: {
          tags: ['agents'],
          summary: 'Asks the engine that owns the agent to re-read it over REST',
          security,
          params: agentParams,
          response: { 202: z.object({ commandId: z.string(), agentId: z.string() }), ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const agentId = request.params.id;
        if ((await ctx.redis.zscore(ctx.keys.agentsIndex(), agentId)) === null) {
          throw new ApiError('NOT_FOUND', `no agent ${agentId}`);
        }
        const commandId = await ctx.commands.send({
          agentId,
          type: 'resync',
          body: { by: `api:${who.keyId}`, at: ctx.now() },
        });
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'agent.resync',
          target: agentId,
          detail: { commandId },
        });
        return reply.code(202).send({ commandId, agentId });
      },
    );
  };
}
