import type { RuleId } from '@lockstep/domain';
import { type Keys, parseFindingMember, type RedisClient } from '@lockstep/store';

/** One open finding as the global per-rule indexes state it. */
export interface IndexedFinding {
  readonly agentId: string;
  readonly findingId: string;
  readonly ruleId: RuleId;
  readonly openedAt: number;
  /** `<agentId>|<findingId>`, the member of the indexes and of the opening-attributes hash. */
  readonly member: string;
}

/**
 * Every open finding of every shard, from the global per-rule indexes (`{findings}:rules`, then one ZRANGE per
 * rule): two round trips whatever the number of agents, no agent hash read. The indexes are updated right after
 * each commit, so a finding may show here a moment after it opened or closed; grouping tolerates that.
 */
export async function readOpenFindings(redis: RedisClient, keys: Keys): Promise<IndexedFinding[]> {
  const rules = (await redis.smembers(keys.findingsRules())).sort();
  const replies = await Promise.all(
    rules.map((ruleId) => redis.zrange(keys.findingsByRule(ruleId), 0, -1, 'WITHSCORES')),
  );
  const out: IndexedFinding[] = [];
  rules.forEach((ruleId, r) => {
    const reply = replies[r] ?? [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const member = reply[i] ?? '';
      const parsed = parseFindingMember(member);
      const openedAt = Number(reply[i + 1]);
      if (parsed === undefined || !Number.isFinite(openedAt)) continue;
      out.push({ ...parsed, ruleId: ruleId as RuleId, openedAt, member });
    }
  });
  return out;
}
