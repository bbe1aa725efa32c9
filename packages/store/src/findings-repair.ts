import { decodeIndexLines, requirePositive } from './codec.js';
import { parseFindingMember, syncFindingsIndex } from './findings-index.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './scripts.js';

export interface RepairReport {
  /** Index members removed (from the global and per-rule sets) because the finding is no longer open. */
  readonly removed: number;
  /** Agents whose open findings were re-added to the index. */
  readonly agentsReindexed: number;
}

/**
 * Brings the open-findings index back in line with the agent hashes after a crash lost index updates:
 * removes members whose finding is no longer open and re-adds every agent's open findings. Meant for
 * startup, before commits resume. Run concurrently with commits it is still safe for readers, but a
 * finding re-opened during the repair may stay missing from the index until its agent's next commit.
 */
export async function repairFindingsIndex(options: {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Members or agents handled per round. Default 500. */
  readonly pageSize?: number;
}): Promise<RepairReport> {
  const { redis, keys } = options;
  const pageSize = requirePositive('pageSize', options.pageSize ?? 500);
  let removed = 0;
  const ruleIds = await redis.smembers(keys.findingsRules());
  const sets: { key: string; ruleId?: string }[] = [
    { key: keys.findingsOpen() },
    ...ruleIds.flatMap((ruleId) => {
      try {
        return [{ key: keys.findingsByRule(ruleId), ruleId }];
      } catch {
        return [];
      }
    }),
  ];
  for (const set of sets) removed += await pruneSet(redis, keys, set.key, set.ruleId, pageSize);

  let agentsReindexed = 0;
  let from = '-';
  for (;;) {
    const agents = await redis.zrangebylex(keys.agentsIndex(), from, '+', 'LIMIT', 0, pageSize);
    await Promise.all(
      agents.map(async (agentId) => {
        const lines = decodeIndexLines((await redis.hget(keys.agent(agentId), 'fidx')) ?? '');
        if (lines.length === 0) return;
        // The open findings on both sides: re-adds them all and removes nothing.
        await syncFindingsIndex(redis, keys, agentId, lines, lines);
        agentsReindexed++;
      }),
    );
    const last = agents[agents.length - 1];
    if (agents.length < pageSize || last === undefined) break;
    from = `(${last}`;
  }
  return { removed, agentsReindexed };
}

/** Removes members of one index set whose finding is not open (for `ruleId`, when given) any more. */
async function pruneSet(
  redis: RedisClient,
  keys: Keys,
  setKey: string,
  ruleId: string | undefined,
  pageSize: number,
): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(setKey, cursor, 'COUNT', pageSize);
    cursor = next;
    const members = flat.filter((_, i) => i % 2 === 0);
    const open = await Promise.all(members.map((m) => isOpen(redis, keys, m, ruleId)));
    const stale = members.filter((_, i) => !open[i]);
    if (stale.length > 0) removed += await redis.zrem(setKey, ...stale);
  } while (cursor !== '0');
  return removed;
}

async function isOpen(
  redis: RedisClient,
  keys: Keys,
  member: string,
  ruleId: string | undefined,
): Promise<boolean> {
  const parsed = parseFindingMember(member);
  if (!parsed) return false;
  let agentKey: string;
  try {
    agentKey = keys.agent(parsed.agentId);
  } catch {
    return false;
  }
  const lines = decodeIndexLines((await redis.hget(agentKey, 'fidx')) ?? '');
  return lines.some((l) => l.findingId === parsed.findingId && (ruleId === undefined || l.ruleId === ruleId));
}
