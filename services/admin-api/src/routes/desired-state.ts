import { SYSTEM_PRESENCES } from '@lockstep/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { agentParams, idSchema, isoTime, problemResponses } from '../schemas.js';

const HOUR = 3_600_000;
/** The engine keeps a declaration for at most 24 h (the DECLARE event's bound). */
const MAX_VALIDITY_MS = 24 * HOUR;
const DEFAULT_VALIDITY_MS = 8 * HOUR;

const desiredStateFields = {
  presence: z.enum(SYSTEM_PRESENCES),
  validFrom: isoTime.optional(),
  validUntil: isoTime.optional(),
  reason: z.string().max(500).optional(),
  source: z.string().trim().min(1).max(100),
};
const desiredStateBody = z.strictObject(desiredStateFields).meta({ id: 'DesiredState' });
const bulkItem = z.strictObject({ agentId: idSchema, ...desiredStateFields });

const accepted = z.object({
  agentId: z.string(),
  commandId: z.string(),
  presence: z.string().nullable(),
  validFrom: z.string(),
  validUntil: z.string(),
});

type Declaration = z.infer<typeof desiredStateBody>;

/** A `declare` command body (the DECLARE event without its type), or the problems that refuse it. Pure. */
export function toDeclare(
  input: Declaration,
  now: number,
): { body: { presence: string; by: string; at: number; ttlMs: number } } | { problems: string[] } {
  const from = input.validFrom === undefined ? now : Date.parse(input.validFrom);
  const until = input.validUntil === undefined ? from + DEFAULT_VALIDITY_MS : Date.parse(input.validUntil);
  const problems: string[] = [];
  if (until <= from) problems.push('validUntil: must be after validFrom');
  if (until - from > MAX_VALIDITY_MS) problems.push('validUntil: must be at most 24 h after validFrom');
  if (until <= now) problems.push('validUntil: must be in the future');
  if (problems.length > 0) return { problems };
  return { body: { presence: input.presence, by: input.source, at: from, ttlMs: until - from } };
}

/**
 * Declared desired state, through the command stream the engine consumes (`declare` commands). Answers are
 * 202: the outcome is read on the agent (`GET /agents/{id}`).
 */
export function desiredStateRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const security = [{ bearer: [] }];
  const known = async (agentId: string) => (await ctx.redis.zscore(ctx.keys.agentsIndex(), agentId)) !== null;

  async function declare(keyId: string, agentId: string, input: Declaration) {
    const result = toDeclare(input, ctx.now());
    if ('problems' in result) return result;
    const commandId = await ctx.commands.send({ agentId, type: 'declare', body: result.body });
    await ctx.audit.record({
      keyId,
      action: 'desired-state.set',
      target: agentId,
      detail: { commandId, ...result.body, reason: input.reason ?? null },
    });
    return {
      accepted: {
        agentId,
        commandId,
        presence: result.body.presence,
        validFrom: new Date(result.body.at).toISOString(),
        validUntil: new Date(result.body.at + result.body.ttlMs).toISOString(),
      },
    };
  }

  return async (app) => {
    app.put(
      '/agents/:id/desired-state',
      {
        config: { scope: 'operate' },
        schema: {
          tags: ['desired state'],
          summary: 'Declares the state an agent should be in (202; the outcome is read on the agent)',
          security,
          params: agentParams,
          body: desiredStateBody,
          response: { 202: accepted, ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        if (!(await known(request.params.id)))
          throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
        const result = await declare(who.keyId, request.params.id, request.body);
        if ('problems' in result) {
          throw new ApiError('VALIDATION_FAILED', result.problems.join('; '), {
            errors: result.problems.map((p) => ({ location: `body/${p.split(':')[0] ?? ''}`, message: p })),
          });
        }
        return reply.code(202).send(result.accepted);
      },
    );

    app.delete(
      '/agents/:id/desired-state',
      {
        config: { scope: 'operate' },
        schema: {
          tags: ['desired state'],
          summary: "Clears the agent's declared state (202)",
          security,
          params: agentParams,
          response: { 202: z.object({ agentId: z.string(), commandId: z.string() }), ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const record = await ctx.reads.readAgent(request.params.id);
        if (record === null) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
        const context = (record.machine as { context?: { declared?: unknown } } | null)?.context;
        const declared = (context?.declared ?? null) as {
          presence: string | null;
          routing: string | null;
        } | null;
        if (declared === null)
          throw new ApiError('NOT_FOUND', `agent ${request.params.id} has no declared state`);
        // A newer declaration of the same state valid for 1 ms replaces the current one and lapses at once.
        const commandId = await ctx.commands.send({
          agentId: request.params.id,
          type: 'declare',
          body: {
            ...(declared.presence === null ? {} : { presence: declared.presence }),
            ...(declared.routing === null ? {} : { routing: declared.routing }),
            by: `api:${who.keyId}`,
            at: ctx.now(),
            ttlMs: 1,
          },
        });
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'desired-state.clear',
          target: request.params.id,
          detail: { commandId },
        });
        return reply.code(202).send({ agentId: request.params.id, commandId });
      },
    );

    app.post(
      '/desired-states',
      {
        config: { scope: 'operate' },
        schema: {
          tags: ['desired state'],
          summary: 'Declares desired states in bulk (up to 1,000); a bad item refuses only itself',
          security,
          body: z.strictObject({ items: z.array(z.unknown()).min(1).max(1_000) }),
          response: {
            202: z.object({
              accepted: z.number().int(),
              refused: z.number().int(),
              results: z.array(
                z.object({
                  index: z.number().int(),
                  agentId: z.string().nullable(),
                  status: z.enum(['accepted', 'refused']),
                  commandId: z.string().optional(),
                  problems: z.array(z.string()).optional(),
                }),
              ),
            }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const results = await Promise.all(
          request.body.items.map(async (raw, index) => {
            const parsed = bulkItem.safeParse(raw);
            // The item's agent id, when it is one, names the item even when other fields are refused.
            const rawId = idSchema.safeParse((raw as { agentId?: unknown } | null)?.agentId);
            const agentId = rawId.success ? rawId.data : null;
            if (!parsed.success) {
              const problems = parsed.error.issues.map(
                (i) => `${i.path.map(String).join('.') || '(item)'}: ${i.message}`,
              );
              return { index, agentId, status: 'refused' as const, problems };
            }
            const { agentId: id, ...input } = parsed.data;
            if (!(await known(id)))
              return { index, agentId: id, status: 'refused' as const, problems: ['agentId: no such agent'] };
            const result = await declare(who.keyId, id, input);
            if ('problems' in result)
              return { index, agentId: id, status: 'refused' as const, problems: result.problems };
            return { index, agentId: id, status: 'accepted' as const, commandId: result.accepted.commandId };
          }),
        );
        const acceptedCount = results.filter((r) => r.status === 'accepted').length;
        return reply
          .code(202)
          .send({ accepted: acceptedCount, refused: results.length - acceptedCount, results });
      },
    );
  };
}
