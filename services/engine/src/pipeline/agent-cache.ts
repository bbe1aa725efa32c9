import type { Gauge } from 'prom-client';

/**
 * An owned agent kept in memory in compact form: the committed version and the persisted snapshot as its JSON
 * text (about 1 KiB for an agent with every signal known; the live xstate snapshot is rebuilt on demand). The JSON
 * text doubles as a cheap "did anything change" check.
 */
export interface CachedAgent {
  readonly version: number;
  readonly json: string;
  /** Rules with an open finding (keeps the open-findings gauge exact without parsing). */
  readonly openRules: readonly string[];
}

/** The in-memory agents of this engine, with the open-findings gauge kept in step. */
export interface AgentCache {
  get(agentId: string): CachedAgent | undefined;
  set(agentId: string, entry: CachedAgent): void;
  delete(agentId: string): void;
  clear(): void;
  readonly size: number;
  keys(): IterableIterator<string>;
}

export function createAgentCache(openFindings: Gauge<'rule'>): AgentCache {
  const entries = new Map<string, CachedAgent>();
  const adjust = (rules: readonly string[], delta: number) => {
    for (const rule of rules) openFindings.inc({ rule }, delta);
  };
  return {
    get: (agentId) => entries.get(agentId),
    set(agentId, entry) {
      const before = entries.get(agentId);
      if (before) adjust(before.openRules, -1);
      adjust(entry.openRules, 1);
      entries.set(agentId, entry);
    },
    delete(agentId) {
      const before = entries.get(agentId);
      if (!before) return;
      adjust(before.openRules, -1);
      entries.delete(agentId);
    },
    clear() {
      for (const entry of entries.values()) adjust(entry.openRules, -1);
      entries.clear();
    },
    get size() {
      return entries.size;
    },
    keys: () => entries.keys(),
  };
}
