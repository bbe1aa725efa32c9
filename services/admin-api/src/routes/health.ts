import { createEngineStatusStore, type EngineStatus } from '@lockstep/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import type { ApiMetrics } from '../metrics.js';

const check = z.object({ ok: z.boolean(), detail: z.string() });
const notifierCheck = check.extend({
  subscriptions: z.number().int(),
  queued: z.number().int(),
  oldestUndeliveredAgeSeconds: z.number().nullable(),
  deadLetters: z.number().int(),
});
const genesysCheck = check.extend({
  shard: z.number().int(),
  channelsConnected: z.number().int(),
  channels: z.number().int(),
});
const readiness = z
  .object({
    ready: z.boolean(),
    redis: check,
    engines: z.array(check.extend({ shard: z.number().int() })),
    genesys: z.array(genesysCheck),
    notifier: notifierCheck,
  })
  .meta({ id: 'Readiness' });

/** Past this age the oldest undelivered alert marks the notifier check not ok (readiness does not depend on it). */
export const BACKLOG_WARN_AGE_MS = 15 * 60_000;

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

/** Whether the engine holding a shard has every Genesys notification channel connected, from its last report. */
function genesysOf(shard: number, status: EngineStatus | null): z.infer<typeof genesysCheck> {
  if (status === null) {
    return { shard, ok: false, detail: 'no engine status reported', channelsConnected: 0, channels: 0 };
  }
  const { connected, total } = status.channels;
  const counts = { shard, channelsConnected: connected, channels: total };
  if (!status.ready) {
    return { ...counts, ok: false, detail: 'the engine is still resolving its agents (discovery retrying)' };
  }
  if (total === 0) return { ...counts, ok: true, detail: `no channel needed (${status.agents} agents)` };
  return connected === total
    ? { ...counts, ok: true, detail: `${connected} of ${total} channels connected` }
    : { ...counts, ok: false, detail: `${connected} of ${total} channels connected (reconnecting)` };
}

/** The notifier's backlog over every subscription: undelivered alerts, the oldest one's age, dead letters. */
async function notifierBacklog(ctx: ApiContext): Promise<z.infer<typeof notifierCheck>> {
  const subs = await ctx.subscriptions.list();
  const backlogs = await Promise.all(subs.map((s) => ctx.deliveries.backlog(s.id)));
  const queued = backlogs.reduce((n, b) => n + b.count, 0);
  const deadLetters = backlogs.reduce((n, b) => n + b.dead, 0);
  const oldest = backlogs.reduce<number | null>(
    (min, b) => (b.oldestAt === null ? min : min === null ? b.oldestAt : Math.min(min, b.oldestAt)),
    null,
  );
  const ageMs = oldest === null ? null : Math.max(0, ctx.now() - oldest);
  const ok = ageMs === null || ageMs <= BACKLOG_WARN_AGE_MS;
  const detail =
    ageMs === null
      ? `nothing undelivered (${subs.length} subscriptions)`
      : `${queued} alerts undelivered, the oldest for ${Math.round(ageMs / 1000)} s${ok ? '' : ' (over 15 min: is a notifier running, is a receiver down?)'}`;
  return {
    ok,
    detail,
    subscriptions: subs.length,
    queued,
    oldestUndeliveredAgeSeconds: ageMs === null ? null : Math.round(ageMs / 100) / 10,
    deadLetters,
  };
}

/**
 * `GET /healthz` (liveness), `GET /readyz` (Redis reachable; for every shard an engine heartbeat, i.e. a live
 * shard lease, and every Genesys channel of its engine connected, from the engine's status report) and `GET /metrics` (Prometheus). Public, not rate limited.
 */
export function healthRoutes(ctx: ApiContext, metrics: ApiMetrics): FastifyPluginAsyncZod {
  const statuses = createEngineStatusStore({ redis: ctx.redis, keys: ctx.keys });
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
          summary:
            "Readiness: Redis reachable, a fresh engine heartbeat and Genesys channels connected per shard; the notifier's backlog is reported, not required",
          response: { 200: readiness, 503: readiness },
        },
      },
      async (_request, reply) => {
        let redis: z.infer<typeof check>;
        const engines: z.infer<typeof readiness>['engines'] = [];
        let genesys: z.infer<typeof readiness>['genesys'] = [];
        let notifier: z.infer<typeof notifierCheck> = {
          ok: false,
          detail: 'not read: Redis is unreachable',
          subscriptions: 0,
          queued: 0,
          oldestUndeliveredAgeSeconds: null,
          deadLetters: 0,
        };
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
          const reports = await within(1_000, statuses.read(names));
          genesys = names.map((shard) => genesysOf(shard, reports[shard] ?? null));
          // Its own failure (a slow or corrupt read) is reported in its check, never as Redis unreachable.
          notifier = await within(1_000, notifierBacklog(ctx)).catch((err: unknown) => ({
            ...notifier,
            detail: `backlog not read: ${err instanceof Error ? err.message : 'error'}`,
          }));
        } catch (err) {
          redis = { ok: false, detail: `unreachable: ${err instanceof Error ? err.message : 'error'}` };
        }
        const ready = redis.ok && engines.every((e) => e.ok) && genesys.every((g) => g.ok);
        // A backlog alone never fails readiness: the API serves fine while a receiver is down.
        return reply.code(ready ? 200 : 503).send({ ready, redis, engines, genesys, notifier });
      },
    );
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
}
