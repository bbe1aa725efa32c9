import type { IndexLine } from './codec.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './scripts.js';

/** Member of the open-findings sorted sets. */
export function findingMember(agentId: string, findingId: string): string {
  return `${agentId}|${findingId}`;
}

/** Splits a sorted-set member back into agent id and finding id (ids never contain `|`). */
export function parseFindingMember(member: string): { agentId: string; findingId: string } | undefined {
  const bar = member.indexOf('|');
  if (bar <= 0 || bar === member.length - 1) return undefined;
  return { agentId: member.slice(0, bar), findingId: member.slice(bar + 1) };
}

/**
 * Brings the global open-findings index in line with one agent's findings after a commit. Idempotent: it
 * re-adds every open finding (healing an update lost to a crash) and removes the ones that closed since
 * `previous`. One MULTI on the `{findings}` slot; nothing is sent when both sides are empty.
 */
export async function syncFindingsIndex(
  redis: RedisClient,
  keys: Keys,
  agentId: string,
  previous: readonly IndexLine[],
  next: readonly IndexLine[],
): Promise<void> {
  if (previous.length === 0 && next.length === 0) return;
  const open = keys.findingsOpen();
  const tx = redis.multi();
  const stillOpen = new Set(next.map((l) => l.findingId));
  for (const line of previous) {
    if (stillOpen.has(line.findingId)) continue;
    const member = findingMember(agentId, line.findingId);
    tx.zrem(open, member);
    tx.zrem(keys.findingsByRule(line.ruleId), member);
  }
  for (const line of next) {
    const member = findingMember(agentId, line.findingId);
    tx.zadd(open, line.openedAt, member);
    tx.zadd(keys.findingsByRule(line.ruleId), line.openedAt, member);
    tx.sadd(keys.findingsRules(), line.ruleId);
    // A finding whose rule changed under the same id must leave its old rule's set.
    const before = previous.find((p) => p.findingId === line.findingId);
    if (before && before.ruleId !== line.ruleId) tx.zrem(keys.findingsByRule(before.ruleId), member);
  }
  const results = await tx.exec();
  for (const [err] of results ?? []) {
    if (err) throw err;
  }
}
