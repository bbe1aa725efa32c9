import {
  type AgentEvent,
  type AgentMachine,
  type AgentSnapshot,
  type Effect,
  initialAgentSnapshot,
  type PersistedAgent,
  persistAgent,
  restoreAgent,
  stepAgentEvents,
} from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import type { Reads } from '@lockstep/store';
import type { Logger } from 'pino';
import { type AgentCache, type CachedAgent, createAgentCache } from './agent-cache.js';
import type { Deadlines } from './deadlines.js';
import type { Gauge } from 'prom-client';

/** The outcome of stepping an agent's events on its cached (or loaded) snapshot. */
export interface Step {
  /** The cache entry stepped from (its version is the one to compare and set). */
  readonly entry: CachedAgent;
  readonly before: AgentSnapshot;
  readonly snapshot: AgentSnapshot;
  readonly effects: readonly Effect[];
  /** False when the events changed nothing (stale or duplicate): there is nothing to commit. */
  readonly changed: boolean;
}

export interface AgentStepperDeps {
  readonly machine: AgentMachine;
  readonly reads: Reads;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly deadlines: Deadlines;
  readonly openFindings: Gauge<'rule'>;
  readonly hotAgents: number;
}

/**
 * Stepping: folds an agent's events through the machine from its cached snapshot (loaded from Redis on a miss)
 * and keeps its deadline. No writes: the caller commits the step, then `remember`s it.
 */
export interface AgentStepper {
  step(agentId: string, events: readonly AgentEvent[]): Promise<Step>;
  /** Caches a committed step at its new version. */
  remember(agentId: string, version: number, snapshot: AgentSnapshot): void;
  /** Drops an agent's cache entry (reloaded from Redis at its next step). */
  forget(agentId: string): void;
  /** Drops every cache entry. */
  clear(): void;
  /** Steps with another machine (a new policy) from now on; cached agents are reloaded under it. */
  setMachine(machine: AgentMachine): void;
  readonly cache: AgentCache;
}

export function createAgentStepper(deps: AgentStepperDeps): AgentStepper {
  const { reads, clock, deadlines } = deps;
  // Replaced by `setMachine` when the rule overrides change at run time.
  let machine = deps.machine;
  const cache = createAgentCache({
    openFindings: deps.openFindings,
    hotAgents: deps.hotAgents,
    freeze: (snapshot) => JSON.stringify(persistAgent(snapshot)),
  });

  async function load(agentId: string): Promise<CachedAgent> {
    const record = await reads.readAgent(agentId);
    if (record === null) {
      return { version: 0, snapshot: initialAgentSnapshot(machine, agentId, clock.now()), openRules: [] };
    }
    let snapshot: AgentSnapshot;
    try {
      snapshot = restoreAgent(machine, record.machine);
    } catch (err) {
      // Unreadable state is replaced by a fresh one at the same version; the next resync refills the signals.
      deps.logger.error(
        { err, agentId, version: record.version },
        'stored agent snapshot is invalid: starting afresh',
      );
      snapshot = initialAgentSnapshot(machine, agentId, clock.now());
    }
    return {
      version: record.version,
      snapshot,
      openRules: Object.keys(snapshot.context.findings),
    };
  }

  function liveSnapshot(entry: CachedAgent): AgentSnapshot {
    if (typeof entry.snapshot !== 'string') return entry.snapshot;
    const persisted = JSON.parse(entry.snapshot) as PersistedAgent;
    return machine.resolveState({ value: persisted.value, context: persisted.context });
  }

  return {
    cache,
    async step(agentId, events) {
      let entry = cache.get(agentId);
      if (entry === undefined) {
        entry = await load(agentId);
        cache.set(agentId, entry);
      }
      const before = liveSnapshot(entry);
      const { snapshot, effects } = stepAgentEvents(machine, before, events);
      deadlines.set(agentId, snapshot.context.deadline);
      // The domain returns the very same context when the events changed nothing (stale or duplicate).
      const changed = snapshot.context !== before.context || effects.length > 0;
      if (!changed && typeof entry.snapshot === 'string') cache.set(agentId, { ...entry, snapshot: before });
      return { entry, before, snapshot, effects, changed };
    },
    remember(agentId, version, snapshot) {
      cache.set(agentId, { version, snapshot, openRules: Object.keys(snapshot.context.findings) });
    },
    forget: (agentId) => cache.delete(agentId),
    clear: () => cache.clear(),
    setMachine(next) {
      machine = next;
      cache.clear();
    },
  };
}
