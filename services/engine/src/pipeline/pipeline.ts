import {
  type AgentEvent,
  type AgentMachine,
  type AgentSnapshot,
  createAgentMachine,
  type Effect,
  initialAgentSnapshot,
  type PersistedAgent,
  type Policy,
  persistAgent,
  restoreAgent,
  stepAgentEvents,
} from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import {
  type AgentStore,
  type HistoryCause,
  type Outbox,
  type Reads,
  StaleFenceError,
  StaleVersionError,
} from '@lockstep/store';
import type { Logger } from 'pino';
import { CommitConflictError } from '../errors.js';
import type { EngineMetrics } from '../metrics.js';
import { type AgentCache, type CachedAgent, createAgentCache } from './agent-cache.js';
import { batchCause, batchDetail, describeEvent, findingDocs, stateSummary } from './commit-input.js';
import { createDeadlines, type Deadlines } from './deadlines.js';

export interface PipelineDeps {
  readonly machine: AgentMachine;
  readonly policy: Policy;
  readonly store: AgentStore;
  readonly reads: Reads;
  readonly outbox: Outbox;
  readonly metrics: EngineMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The fencing token to commit with, or `null` while this engine may not commit (events are then dropped). */
  readonly fence: () => number | null;
  /** A commit was refused because a newer lease holder wrote the agent. */
  readonly onFenceRejected: (err: StaleFenceError) => void;
  /** How long submitted events wait to be batched (0 = one event-loop turn). */
  readonly batchWindowMs: number;
  /** Commit attempts per agent and batch when versions conflict. Default 5. */
  readonly maxConflictRetries?: number;
  /** Events a batch steps before it yields to the event loop (its commits stay in flight). Default 500. */
  readonly yieldEveryEvents?: number;
  /** Deadline ticks a batch takes at most (the others wait for the next batches). Default 500. */
  readonly ticksPerBatch?: number;
  /** Agents kept as live machine snapshots; the least recently stepped beyond it are kept as JSON. Default 100,000. */
  readonly hotAgents?: number;
}

/**
 * The per-agent processing pipeline: events are batched for a short window, grouped by agent (order kept within
 * an agent), folded through the agent machine, then committed ONCE per agent per batch (version CAS + fencing;
 * concurrent commits of different agents share round-trips through auto-pipelining). Effects go to the outbox
 * and are relayed right after. Batches run one after the other, so an agent's events are applied in order.
 */
export interface Pipeline {
  /** Queues one event for an agent. `receivedAt` (engine clock) feeds the latency histogram. */
  submit(agentId: string, event: AgentEvent, cause: HistoryCause, receivedAt?: number): void;
  /** Resolves once everything submitted so far is processed. */
  flush(): Promise<void>;
  /** Stops tracking an agent: cache entry and deadline dropped (its Redis state stays). */
  forget(agentId: string): void;
  /** Forgets every cached agent (after the lease changed hands); they are reloaded from Redis when needed. */
  reset(): void;
  /** Puts a new policy in force from each agent's next step (cached agents are reloaded under it). */
  setPolicy(policy: Policy): void;
  /** Events submitted and not yet processed (queued, or in the batch being stepped and committed). */
  readonly backlog: number;
  /** Agents held in memory. */
  readonly cachedAgents: number;
  /** Agents held as live machine snapshots (at most `hotAgents`). */
  readonly liveAgents: number;
  /** Agents with a pending deadline. */
  readonly pendingDeadlines: number;
  /** Processes what is queued, then stops timers. Idempotent. */
  close(): Promise<void>;
}

interface Item {
  readonly agentId: string;
  readonly event: AgentEvent;
  readonly cause: HistoryCause;
  readonly receivedAt: number | undefined;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  // Replaced by `setPolicy` when the rule overrides change at run time.
  let { machine, policy } = deps;
  const { store, reads, outbox, metrics, clock } = deps;
  const log = deps.logger.child({ component: 'pipeline' });
  const maxRetries = deps.maxConflictRetries ?? 5;
  const yieldEvery = deps.yieldEveryEvents ?? 500;
  const ticksPerBatch = deps.ticksPerBatch ?? 500;
  const cache: AgentCache = createAgentCache({
    openFindings: metrics.openFindings,
    hotAgents: deps.hotAgents ?? 100_000,
    freeze: (snapshot) => JSON.stringify(persistAgent(snapshot)),
  });
  let queue: Item[] = [];
  // Deadline ticks wait apart: each batch takes every queued event but at most `ticksPerBatch` ticks, so that a
  // burst of deadlines falling due together (e.g. graces started by one resync of every agent) is spread over
  // several batches instead of holding fresh events back for one long batch.
  const ticks: Item[] = [];
  let inFlight = 0;
  let scheduled = false;
  let running: Promise<void> | undefined;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const deadlines: Deadlines = createDeadlines({
    clock,
    onDue(agentIds, now) {
      for (const agentId of agentIds)
        submitItem({ agentId, event: { type: 'TICK', now }, cause: 'tick', receivedAt: undefined });
    },
  });

  function submitItem(item: Item): void {
    if (closed) return;
    if (item.cause === 'tick') ticks.push(item);
    else queue.push(item);
    schedule();
  }

  const pendingCount = () => queue.length + ticks.length;

  /** Everything queued, with at most `ticksPerBatch` ticks (the oldest first). */
  function takeBatch(): Item[] {
    let batch = queue;
    queue = [];
    if (ticks.length > 0) batch = batch.concat(ticks.splice(0, ticksPerBatch));
    return batch;
  }

  function schedule(): void {
    if (scheduled || running) return;
    scheduled = true;
    const go = () => {
      scheduled = false;
      running = drain().finally(() => {
        running = undefined;
        if (pendingCount() > 0) schedule();
        else {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    };
    if (deps.batchWindowMs <= 0) setImmediate(go);
    else clock.setTimeout(go, deps.batchWindowMs);
  }

  async function drain(): Promise<void> {
    while (pendingCount() > 0) {
      const batch = takeBatch();
      inFlight = batch.length;
      try {
        await processBatch(batch);
      } catch (err) {
        log.error({ err, events: batch.length }, 'batch failed');
      } finally {
        inFlight = 0;
      }
    }
  }

  async function processBatch(batch: readonly Item[]): Promise<void> {
    const fence = deps.fence();
    if (fence === null) {
      log.debug({ events: batch.length }, 'not holding the lease: events dropped');
      return;
    }
    const byAgent = new Map<string, Item[]>();
    for (const item of batch) {
      const list = byAgent.get(item.agentId);
      if (list) list.push(item);
      else byAgent.set(item.agentId, [item]);
    }
    const withEffects: string[] = [];
    const work: Array<Promise<void>> = [];
    let sinceYield = 0;
    for (const [agentId, items] of byAgent) {
      // An agent's steps run synchronously up to its commit: under a backlog, yield now and then so that sockets,
      // lease renewals and other timers are served while the batch's commits are in flight.
      if (sinceYield >= yieldEvery) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      sinceYield += items.length;
      work.push(
        processAgent(agentId, items, fence).then(
          (queued) => {
            if (queued) withEffects.push(agentId);
          },
          (err: unknown) => {
            const code = (err as { code?: unknown }).code;
            metrics.commitErrors.inc({ code: typeof code === 'string' ? code : 'UNKNOWN' });
            log.error({ err, agentId }, 'agent update failed');
          },
        ),
      );
    }
    await Promise.all(work);
    if (withEffects.length > 0) {
      try {
        metrics.outboxRelayed.inc(await outbox.relayMany(withEffects));
      } catch (err) {
        // The entries stay pending in the agent hashes; the next relay (or the startup scan) publishes them.
        log.error({ err, agents: withEffects.length }, 'outbox relay failed');
      }
    }
  }

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
      log.error(
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

  function countEffects(effects: readonly Effect[]): void {
    for (const e of effects) {
      if (e.type === 'finding.opened') metrics.findingsOpened.inc({ rule: e.finding.ruleId });
      else if (e.type === 'finding.resolved') metrics.findingsResolved.inc({ rule: e.finding.ruleId });
      else if (e.type === 'correction.intended') metrics.corrections.inc({ kind: e.intent.kind });
    }
  }

  /**
   * Applies an agent's events in one machine step (an `EVENTS` batch folds them exactly like separate steps)
   * and commits once. Returns whether effects were queued in the outbox.
   */
  async function processAgent(agentId: string, items: readonly Item[], fence: number): Promise<boolean> {
    const events = items.map((item) => item.event);
    const causes = new Set<HistoryCause>();
    for (const item of items) causes.add(item.cause);
    const cause = batchCause(causes);
    for (let attempt = 0; attempt < maxRetries; attempt++) {
      let entry = cache.get(agentId);
      if (entry === undefined) {
        entry = await load(agentId);
        cache.set(agentId, entry);
      }
      const before = liveSnapshot(entry);
      const { snapshot, effects } = stepAgentEvents(machine, before, events);
      const context = snapshot.context;
      deadlines.set(agentId, context.deadline);
      // The domain returns the very same context when the events changed nothing (stale or duplicate).
      if (context === before.context && effects.length === 0) {
        if (typeof entry.snapshot === 'string') cache.set(agentId, { ...entry, snapshot: before });
        return false;
      }
      if (before.context.status !== context.status || before.context.health !== context.health) {
        metrics.transitions.inc({ cause });
      }
      try {
        const result = await store.commit({
          agentId,
          expectedVersion: entry.version,
          fence,
          state: stateSummary(context),
          machine: persistAgent(snapshot),
          signals: context.signals,
          findings: findingDocs(context, policy),
          effects,
          cause,
          detail: batchDetail(items.map((item) => describeEvent(item.event))),
          at: clock.now(),
        });
        cache.set(agentId, { version: result.version, snapshot, openRules: Object.keys(context.findings) });
        metrics.commits.inc({ cause });
        countEffects(effects);
        const now = clock.now();
        for (const item of items) {
          if (item.receivedAt !== undefined)
            metrics.persistLatency.observe(Math.max(0, now - item.receivedAt) / 1000);
        }
        return effects.length > 0;
      } catch (err) {
        if (err instanceof StaleVersionError) {
          metrics.commitConflicts.inc();
          log.debug({ agentId, expected: err.expected, actual: err.actual }, 'version conflict: reloading');
          cache.delete(agentId);
          continue;
        }
        if (err instanceof StaleFenceError) {
          cache.delete(agentId);
          deps.onFenceRejected(err);
          return false;
        }
        throw err;
      }
    }
    throw new CommitConflictError(agentId, maxRetries);
  }

  return {
    submit(agentId, event, cause, receivedAt) {
      submitItem({ agentId, event, cause, receivedAt });
    },
    flush() {
      if (!running && !scheduled && pendingCount() === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    forget(agentId) {
      cache.delete(agentId);
      deadlines.set(agentId, null);
    },
    reset() {
      cache.clear();
    },
    setPolicy(next) {
      policy = next;
      machine = createAgentMachine(next);
      cache.clear();
    },
    get backlog() {
      return pendingCount() + inFlight;
    },
    get cachedAgents() {
      return cache.size;
    },
    get liveAgents() {
      return cache.hot;
    },
    get pendingDeadlines() {
      return deadlines.size;
    },
    async close() {
      if (closed) return;
      await this.flush();
      closed = true;
      deadlines.close();
      cache.clear();
    },
  };
}
