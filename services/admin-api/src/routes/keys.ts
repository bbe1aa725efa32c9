import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SCOPES } from '../auth/api-keys.js';
import { principalOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { problemResponses } from '../schemas.js';

const keyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'ApiKey' });

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).max(3),
});

/** `POST /keys` (the key is in this answer only), `GET /keys`, `DELETE /keys/{id}`. Scope `admin`. */
export function keyRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/keys',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['keys'],
          summary: 'Creates an API key; the key is shown in this answer only',
          security: [{ bearer: [] }],
          body: createBody,
          response: { 201: keyInfo.extend({ key: z.string() }), ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        const created = await ctx.apiKeys.create({ ...request.body, createdBy: who.keyId });
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'key.create',
          target: created.id,
          detail: { name: created.name, scopes: created.scopes },
        });
        return reply.code(201).send(created);
      },
    );
    app.get(
      '/keys',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['keys'],
          summary: 'Lists API keys (never the keys themselves)',
          security: [{ bearer: [] }],
          response: { 200: z.object({ keys: z.array(keyInfo) }), ...problemResponses },
        },
      },
      async () => ({ keys: await ctx.apiKeys.list() }),
    );
    app.delete(
      '/keys/:id',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['keys'],
          summary: 'Revokes an API key at once',
          security: [{ bearer: [] }],
          params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)') }),
          response: { 204: z.null(), ...problemResponses },
        },
      },
      async (request, reply) => {
        const who = principalOf(request);
        if (!(await ctx.apiKeys.revoke(request.params.id))) {
          throw new ApiError('NOT_FOUND', `no key ${request.params.id}`);
        }
        await ctx.audit.record({ keyId: who.keyId, action: 'key.revoke', target: request.params.id });
        return reply.code(204).send(null);
      },
    );
  };
}
