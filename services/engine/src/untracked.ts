import { RULE_IDS } from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import type { Reads } from '@lockstep/store';
import type { Logger } from 'pino';
import type { Pipeline } from './pipeline/pipeline.js';
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

export interface UntrackerDeps {
  readonly reads: Pick<Reads, 'listOpenFindings'>;
  readonly pipeline: Pick<Pipeline, 'submit' | 'flush' | 'forget'>;
  readonly shard: Shard;
  /** The agents tracked now. */
  readonly tracked: () => ReadonlySet<string>;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** Resolves the open findings of agents nothing watches any more (`finding.resolved`, resolution `untracked`). */
export interface Untracker {
  /** These agents left the selection: feeds them `UNTRACKED` and waits until it is processed. */
  untrack(agentIds: readonly string[]): Promise<void>;
  /**
   * Finds this shard's untracked agents with open findings in Redis and untracks them, then drops them from the
   * pipeline. Call once discovery is ready. Never rejects: a failure is logged.
   */
  sweep(): Promise<void>;
}

export function createUntracker(deps: UntrackerDeps): Untracker {
  const log = deps.logger.child({ component: 'untracked' });
  async function untrack(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length === 0) return;
    const at = deps.clock.now();
    for (const id of agentIds) deps.pipeline.submit(id, { type: 'UNTRACKED', at }, 'event');
    await deps.pipeline.flush();
  }
  return {
    untrack,
    async sweep() {
      try {
        const stale = await untrackedWithFindings(deps.reads, deps.tracked(), deps.shard);
        if (stale.length === 0) return;
        log.info({ agents: stale.length }, 'resolving the open findings of agents no longer selected');
        await untrack(stale);
        for (const id of stale) if (!deps.tracked().has(id)) deps.pipeline.forget(id);
      } catch (err) {
        log.error({ err }, 'resolving the findings of agents no longer selected failed');
      }
    },
  };
}
