import { SEVERITIES } from '@lockstep/domain';
import { type FindingDoc, parseResolvedMember } from '@lockstep/store';
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
  status: z.enum(['open', 'resolved']).default('open'),
});

const position = z.strictObject({ member: z.string().min(1).max(500), score: z.number() });

const findingSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    ruleId: z.string(),
    severity: z.string().nullable(),
    status: z.enum(['open', 'resolved']),
    summary: z.string(),
    openedAt: z.string().nullable(),
    since: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    facts: z.array(z.unknown()),
  })
  .meta({ id: 'Finding' });

const iso = (ms: unknown) =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
const BATCH = 500;

/**
 * `GET /findings`: open findings (from the open-findings index, newest opened first) or recently resolved ones
 * (`status=resolved`, the last 24 h, newest resolved first); filters and a cursor.
 */
export function findingRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/findings',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['findings'],
          summary: 'Open findings (newest first), or those resolved in the last 24 h',
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
        if (q.status === 'resolved' && q.severity !== undefined) {
          throw new ApiError('VALIDATION_FAILED', 'severity filters open findings only', {
            errors: [{ location: 'querystring/severity', message: 'not available with status=resolved' }],
          });
        }
        const index =
          q.status === 'resolved'
            ? ctx.keys.findingsResolved()
            : q.rule === undefined
              ? ctx.keys.findingsOpen()
              : ctx.keys.findingsByRule(q.rule);
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
        if (q.status === 'resolved') {
          for (;;) {
            const flat = await ctx.redis.zrevrange(index, start, start + BATCH - 1, 'WITHSCORES');
            for (let i = 0; i + 1 < flat.length; i += 2) {
              const m = flat[i] ?? '';
              const score = Number(flat[i + 1]);
              const r = parseResolvedMember(m, score);
              if (r === undefined) continue;
              if (q.rule !== undefined && r.ruleId !== q.rule) continue;
              if (q.agentId !== undefined && r.agentId !== q.agentId) continue;
              if (out.length === q.limit) {
                return { findings: out, nextCursor: last ? encodeCursor(last) : null };
              }
              out.push({
                id: r.findingId,
                agentId: r.agentId,
                ruleId: r.ruleId,
                severity: null,
                status: 'resolved',
                summary: '',
                openedAt: iso(r.openedAt),
                since: null,
                resolvedAt: iso(r.resolvedAt),
                facts: [],
              });
              last = { member: m, score };
            }
            if (flat.length < BATCH * 2) return { findings: out, nextCursor: null };
            start += BATCH;
          }
        }
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
              status: 'open' as const,
              summary: typeof f.summary === 'string' ? f.summary : '',
              openedAt: iso(f.openedAt),
              since: iso(f.since),
              resolvedAt: null,
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
