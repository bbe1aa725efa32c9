import type { IndexLine } from './codec.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './scripts.js';

/** How long a resolved finding stays listed. */
export const RESOLVED_RETENTION_MS = 24 * 3_600_000;
/** At most this many resolved findings are kept (the oldest go first). */
export const RESOLVED_MAX = 100_000;

/** A finding that left an agent's open findings. */
export interface ResolvedFinding {
  readonly agentId: string;
  readonly findingId: string;
  readonly ruleId: string;
  readonly openedAt: number;
  /** Commit time of the commit that closed it, epoch ms. */
  readonly resolvedAt: number;
}

// Member: `<agentId>|<findingId>|<ruleId>|<openedAt>` (ids never contain '|'); score: resolvedAt.
const member = (agentId: string, l: IndexLine) => `${agentId}|${l.findingId}|${l.ruleId}|${l.openedAt}`;

/**
 * Records the findings open in `previous` and gone from `next` as resolved at `at`, in the `{findings}` slot, and
 * trims what is older than the retention or beyond the cap. Nothing is sent when none closed.
 */
export async function recordResolvedFindings(
  redis: RedisClient,
  keys: Keys,
  agentId: string,
  previous: readonly IndexLine[],
  next: readonly IndexLine[],
  at: number,
): Promise<void> {
  const open = new Set(next.map((l) => l.findingId));
  const closed = previous.filter((l) => !open.has(l.findingId));
  if (closed.length === 0) return;
  const key = keys.findingsResolved();
  const tx = redis.multi();
  for (const l of closed) tx.zadd(key, at, member(agentId, l));
  tx.zremrangebyscore(key, '-inf', `(${at - RESOLVED_RETENTION_MS}`);
  tx.zremrangebyrank(key, 0, -RESOLVED_MAX - 1);
  const results = await tx.exec();
  for (const [err] of results ?? []) {
    if (err) throw err;
  }
}

/** Parses a member of the resolved-findings set; `undefined` for a member of another shape. */
export function parseResolvedMember(text: string, resolvedAt: number): ResolvedFinding | undefined {
  const [agentId, findingId, ruleId, openedAt, ...rest] = text.split('|');
  if (!agentId || !findingId || !ruleId || openedAt === undefined || rest.length > 0) return undefined;
  return { agentId, findingId, ruleId, openedAt: Number(openedAt), resolvedAt };
}
