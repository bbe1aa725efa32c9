import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import type { ApiMetrics } from '../metrics.js';

const check = z.object({ ok: z.boolean(), detail: z.string() });
const readiness = z
  .object({ ready: z.boolean(), redis: check, engines: z.array(check.extend({ shard: z.number().int() })) })
  .meta({ id: 'Readiness' });

/** Bounds a Redis probe so `/readyz` answers even while Redis hangs. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz` (liveness), `GET /readyz` (Redis reachable; an engine heartbeat, i.e. a live shard lease,
 * for every shard) and `GET /metrics` (Prometheus). Public, not rate limited.
 */
export function healthRoutes(ctx: ApiContext, metrics: ApiMetrics): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['health'],
          summary: 'Liveness',
          response: { 200: z.object({ ok: z.literal(true) }) },
        },
      },
      async () => ({ ok: true as const }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['health'],
          summary: 'Readiness: Redis reachable and a fresh engine heartbeat per shard',
          response: { 200: readiness, 503: readiness },
        },
      },
      async (_request, reply) => {
        let redis: z.infer<typeof check>;
        const engines: z.infer<typeof readiness>['engines'] = [];
        try {
          await within(1_000, ctx.redis.ping());
          redis = { ok: true, detail: 'reachable' };
          const names = Array.from({ length: ctx.config.engineShards }, (_, i) => i);
          const ttls = await within(
            1_000,
            Promise.all(names.map((i) => ctx.redis.pttl(ctx.keys.lease(`engine:shard:${i}`)))),
          );
          ttls.forEach((ttl, shard) =>
            engines.push(
              ttl > 0
                ? { shard, ok: true, detail: `lease renewed, ${ttl} ms left` }
                : { shard, ok: false, detail: 'no engine holds this shard' },
            ),
          );
        } catch (err) {
          redis = { ok: false, detail: `unreachable: ${err instanceof Error ? err.message : 'error'}` };
        }
        const ready = redis.ok && engines.every((e) => e.ok);
        return reply.code(ready ? 200 : 503).send({ ready, redis, engines });
      },
    );
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
}
