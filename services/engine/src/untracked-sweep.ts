import { RULE_IDS } from '@lockstep/domain';
import type { Reads } from '@lockstep/store';
import { inShard, type Shard } from './selector.js';

/** Open findings read per rule (the open-findings index is listed at most this deep). */
const PER_RULE = 1_000;

/**
 * Agents of this shard that have open findings in Redis but are not tracked: they left the selection while no
 * engine of the shard was running (e.g. `LOCKSTEP_AGENTS` changed across a restart). Call it only once discovery
 * is ready, or agents of a selector item not read yet would be taken for untracked. Reads only.
 */
export async function untrackedWithFindings(
  reads: Pick<Reads, 'listOpenFindings'>,
  tracked: ReadonlySet<string>,
  shard: Shard,
): Promise<string[]> {
  const out = new Set<string>();
  for (const ruleId of RULE_IDS) {
    for (const { agentId } of await reads.listOpenFindings({ ruleId, limit: PER_RULE })) {
      if (!tracked.has(agentId) && inShard(agentId, shard)) out.add(agentId);
    }
  }
  return [...out].sort();
}
