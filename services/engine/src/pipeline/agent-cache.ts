import type { AgentSnapshot } from '@lockstep/domain';
import type { Gauge } from 'prom-client';

/** An owned agent kept in memory: the committed version and its machine snapshot. */
export interface CachedAgent {
  readonly version: number;
  /**
   * Live (hot: stepped with no decoding), or its persisted JSON text (cold: about 0.5 KiB, rebuilt into a live
   * snapshot when the agent is stepped again).
   */
  readonly snapshot: AgentSnapshot | string;
  /** Rules with an open finding (keeps the open-findings gauge exact without parsing). */
  readonly openRules: readonly string[];
}

/** The in-memory agents of this engine, with the open-findings gauge kept in step. */
export interface AgentCache {
  /** The entry (recency is marked by `set`, which follows every commit). */
  get(agentId: string): CachedAgent | undefined;
  /** Stores an entry (live or JSON) as most recently used; live entries beyond the hot limit are made cold. */
  set(agentId: string, entry: CachedAgent): void;
  delete(agentId: string): void;
  clear(): void;
  readonly size: number;
  /** Entries held as live snapshots. */
  readonly hot: number;
  keys(): IterableIterator<string>;
}

export interface AgentCacheOptions {
  readonly openFindings: Gauge<'rule'>;
  /** At most this many agents are kept as live snapshots (the least recently used are made cold). */
  readonly hotAgents: number;
  /** The persisted JSON text of a live snapshot (used to make an entry cold). */
  readonly freeze: (snapshot: AgentSnapshot) => string;
}

/**
 * Two tiers in one map, least recently used first: a live snapshot costs about 1.2 KiB of heap and saves a JSON
 * parse and a state resolution per step, so the `hotAgents` most recently stepped agents stay live and the rest
 * are kept as text, which bounds the heap whatever the number of agents.
 */
export function createAgentCache(options: AgentCacheOptions): AgentCache {
  const { openFindings, hotAgents, freeze } = options;
  const entries = new Map<string, CachedAgent>();
  const hotIds = new Set<string>();
  const adjust = (rules: readonly string[], delta: number) => {
    for (const rule of rules) openFindings.inc({ rule }, delta);
  };
  // Live entries in least-recently-used order: `hotIds` is a Set whose insertion order is refreshed on use.
  function touch(agentId: string, live: boolean): void {
    // While every agent fits, recency does not matter: skip the reordering.
    if (live && entries.size <= hotAgents && hotIds.has(agentId)) return;
    hotIds.delete(agentId);
    if (!live) return;
    hotIds.add(agentId);
    while (hotIds.size > hotAgents) {
      const coldest = hotIds.values().next().value as string;
      hotIds.delete(coldest);
      const entry = entries.get(coldest);
      if (entry !== undefined && typeof entry.snapshot !== 'string')
        entries.set(coldest, { ...entry, snapshot: freeze(entry.snapshot) });
    }
  }
  return {
    get: (agentId) => entries.get(agentId),
    set(agentId, entry) {
      const before = entries.get(agentId);
      if (before) adjust(before.openRules, -1);
      adjust(entry.openRules, 1);
      entries.set(agentId, entry);
      touch(agentId, typeof entry.snapshot !== 'string');
    },
    delete(agentId) {
      const before = entries.get(agentId);
      if (!before) return;
      adjust(before.openRules, -1);
      entries.delete(agentId);
      hotIds.delete(agentId);
    },
    clear() {
      for (const entry of entries.values()) adjust(entry.openRules, -1);
      entries.clear();
      hotIds.clear();
    },
    get size() {
      return entries.size;
    },
    get hot() {
      return hotIds.size;
    },
    keys: () => entries.keys(),
  };
}
