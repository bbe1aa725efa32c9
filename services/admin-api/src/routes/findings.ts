import { SEVERITIES } from '@lockstep/domain';
import type { FindingDoc } from '@lockstep/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { cursorSchema, decodeCursor, encodeCursor, idSchema, problemResponses } from '../schemas.js';

const query = z.strictObject({
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  rule: idSchema.optional(),
  severity: z.enum(SEVERITIES).optional(),
  agentId: idSchema.optional(),
});

const position = z.strictObject({ member: z.string().min(1).max(500), score: z.number() });

const findingSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    ruleId: z.string(),
    severity: z.string(),
    status: z.literal('open'),
    summary: z.string(),
    openedAt: z.string().nullable(),
    since: z.string().nullable(),
    facts: z.array(z.unknown()),
  })
  .meta({ id: 'Finding' });

const iso = (ms: unknown) =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
const BATCH = 500;

/** `GET /findings`: open findings, newest first, from the open-findings index; filters and a cursor. */
export function findingRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/findings',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['findings'],
          summary: 'Open findings, newest first',
          security: [{ bearer: [] }],
          querystring: query,
          response: {
            200: z.object({ findings: z.array(findingSchema), nextCursor: z.string().nullable() }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const index = q.rule === undefined ? ctx.keys.findingsOpen() : ctx.keys.findingsByRule(q.rule);
        let start = 0;
        if (q.cursor !== undefined) {
          const c = decodeCursor(q.cursor, position);
          if (c === undefined) {
            throw new ApiError('VALIDATION_FAILED', 'cursor is not one this listing returned', {
              errors: [
                { location: 'querystring/cursor', message: 'must be a cursor returned by a previous page' },
              ],
            });
          }
          const [score, rank] = await Promise.all([
            ctx.redis.zscore(index, c.member),
            ctx.redis.zrevrank(index, c.member),
          ]);
          start =
            score !== null && rank !== null && Number(score) === c.score
              ? rank + 1
              : await ctx.redis.zcount(index, `(${c.score}`, '+inf');
        }
        const out: z.infer<typeof findingSchema>[] = [];
        let last: { member: string; score: number } | undefined;
        for (;;) {
          const flat = await ctx.redis.zrevrange(index, start, start + BATCH - 1, 'WITHSCORES');
          const members: { member: string; score: number; agentId: string; findingId: string }[] = [];
          for (let i = 0; i + 1 < flat.length; i += 2) {
            const member = flat[i] ?? '';
            const bar = member.indexOf('|');
            if (bar <= 0) continue;
            members.push({
              member,
              score: Number(flat[i + 1]),
              agentId: member.slice(0, bar),
              findingId: member.slice(bar + 1),
            });
          }
          const agents = [...new Set(members.map((m) => m.agentId))];
          const texts = await Promise.all(agents.map((a) => ctx.redis.hget(ctx.keys.agent(a), 'findings')));
          const byAgent = new Map<string, FindingDoc[]>();
          agents.forEach((a, i) => {
            try {
              byAgent.set(a, JSON.parse(texts[i] ?? '[]') as FindingDoc[]);
            } catch {
              byAgent.set(a, []);
            }
          });
          for (const m of members) {
            // The index may briefly lag the agent's hash: only findings still open there are shown.
            const f = byAgent.get(m.agentId)?.find((d) => d.id === m.findingId);
            if (f === undefined) continue;
            if (q.severity !== undefined && f.severity !== q.severity) continue;
            if (q.agentId !== undefined && m.agentId !== q.agentId) continue;
            if (out.length === q.limit) {
              return { findings: out, nextCursor: last ? encodeCursor(last) : null };
            }
            out.push({
              id: f.id,
              agentId: m.agentId,
              ruleId: f.ruleId,
              severity: f.severity,
              status: 'open',
              summary: typeof f.summary === 'string' ? f.summary : '',
              openedAt: iso(f.openedAt),
              since: iso(f.since),
              facts: Array.isArray(f.evidence) ? (f.evidence as unknown[]) : [],
            });
            last = { member: m.member, score: m.score };
          }
          if (flat.length < BATCH * 2) return { findings: out, nextCursor: null };
          start += BATCH;
        }
      },
    );
  };
}
