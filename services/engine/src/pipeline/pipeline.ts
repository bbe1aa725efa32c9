import {
  type AgentContext,
  type AgentEvent,
  type AgentMachine,
  createAgentMachine,
  type Effect,
  type Policy,
} from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import {
  type AgentStore,
  type HistoryCause,
  InvalidInputError,
  type Outbox,
  type Reads,
  type StaleFenceError,
} from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics.js';
import { type AgentCommitter, createAgentCommitter } from './agent-committer.js';
import { type AgentStepper, createAgentStepper } from './agent-stepper.js';
import { type BatchQueue, createBatchQueue, groupByAgent, type Item } from './batch-queue.js';
import { createDeadlines, type Deadlines } from './deadlines.js';
import { type EffectsExecutor, noEffectsExecutor } from './effects.js';
import { createRelay, type Relay } from './relay.js';
import { createYielder } from './yielder.js';

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
  /**
   * Whether `fence` is still the token to commit with, asked right before each commit (the lease may lapse
   * while a batch is stepped). Default: always.
   */
  readonly stillHolds?: (fence: number) => boolean;
  /** A commit was refused because a newer lease holder wrote the agent. */
  readonly onFenceRejected: (err: StaleFenceError) => void;
  /**
   * Events of these agents were lost: their commit failed after the bounded retries (e.g. Redis did not answer),
   * or the queue was full and their events were coalesced. Re-read them over REST once Redis answers.
   */
  readonly onLost?: (agentIds: readonly string[]) => void;
  /** Where committed effects go besides the outbox (corrections, to come). Default: nowhere. */
  readonly effects?: EffectsExecutor;
  /**
   * Told of every commit (after it landed): the committed context and effects. Must not block or throw; used to
   * keep agent attributes for incidents. Default: nobody.
   */
  readonly onCommitted?: (agentId: string, context: AgentContext, effects: readonly Effect[]) => void;
  /** How long submitted events wait to be batched (0 = one event-loop turn). */
  readonly batchWindowMs: number;
  /** Commit attempts per agent and batch when versions conflict. Default 5. */
  readonly maxConflictRetries?: number;
  /** Delays before the further attempts of a commit that failed otherwise (Redis down). Default [100, 500]. */
  readonly errorRetryDelaysMs?: readonly number[];
  /** Events queued at most; beyond it events are coalesced per agent into one resync. Default 200,000. */
  readonly maxQueuedEvents?: number;
  /**
   * Events a batch steps before it yields to the event loop (its commits stay in flight). Default 100: a backlog
   * of a few hundred events (after a garbage-collection pause) then never holds sockets and timers for more than a
   * few milliseconds at a time (500 gave stalls of 30-50 ms at 5,000 events/s).
   */
  readonly yieldEveryEvents?: number;
  /** Deadline ticks a batch takes at most (the others wait for the next batches). Default 500. */
  readonly ticksPerBatch?: number;
  /** Agents kept as live machine snapshots; the least recently stepped beyond it are kept as JSON. Default 100,000. */
  readonly hotAgents?: number;
  /** How often failed relays are retried. Default 5 s. */
  readonly relaySweepIntervalMs?: number;
}

/**
 * The per-agent processing pipeline: events are batched for a short window (`batch-queue`), grouped by agent
 * (order kept within an agent), folded through the agent machine (`agent-stepper`), then committed ONCE per agent
 * per batch (`agent-committer`: version CAS + fencing; concurrent commits of different agents share round-trips
 * through auto-pipelining). Effects go to the outbox and are relayed right after (`relay`), and to the effects
 * executor. Batches run one after the other, so an agent's events are applied in order. This file only schedules.
 */
export interface Pipeline {
  /**
   * Queues one event for an agent. `receivedAt` (engine clock) feeds the latency histogram. `onDone` learns
   * whether the event is in Redis: `true` once its batch committed (or changed nothing), `false` when it was
   * dropped (lease not held, fenced off, commit failed, coalesced under backlog).
   */
  submit(
    agentId: string,
    event: AgentEvent,
    cause: HistoryCause,
    receivedAt?: number,
    onDone?: (committed: boolean) => void,
  ): void;
  /** Resolves once everything submitted so far is processed. */
  flush(): Promise<void>;
  /** Stops tracking an agent: cache entry and deadline dropped (its Redis state stays). */
  forget(agentId: string): void;
  /**
   * Forgets every cached agent (after the lease changed hands); they are reloaded from Redis when needed. The
   * relay sweeper then scans every agent once for entries left unrelayed.
   */
  reset(): void;
  /** Retries the relays that failed now (e.g. when Redis answers again). */
  sweepOutbox(): Promise<void>;
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

/** Tells the items' submitters whether their events reached Redis. */
function settle(items: readonly Item[], committed: boolean): void {
  for (const item of items) item.onDone?.(committed);
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { metrics, clock } = deps;
  const log = deps.logger.child({ component: 'pipeline' });
  const yieldEvery = deps.yieldEveryEvents ?? 100;
  const effectsExecutor = deps.effects ?? noEffectsExecutor;
  const queue: BatchQueue = createBatchQueue({
    ticksPerBatch: deps.ticksPerBatch ?? 500,
    maxQueued: deps.maxQueuedEvents ?? 200_000,
  });
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
  const stepper: AgentStepper = createAgentStepper({
    machine: deps.machine,
    reads: deps.reads,
    clock,
    logger: log,
    deadlines,
    openFindings: metrics.openFindings,
    hotAgents: deps.hotAgents ?? 100_000,
  });
  const committer: AgentCommitter = createAgentCommitter({
    policy: deps.policy,
    store: deps.store,
    stepper,
    metrics,
    logger: log,
    clock,
    onFenceRejected: deps.onFenceRejected,
    ...(deps.stillHolds === undefined ? {} : { stillHolds: deps.stillHolds }),
    maxConflictRetries: deps.maxConflictRetries ?? 5,
    errorRetryDelaysMs: deps.errorRetryDelaysMs ?? [100, 500],
  });
  const relay: Relay = createRelay({
    outbox: deps.outbox,
    metrics,
    logger: log,
    clock,
    active: () => deps.fence() !== null,
    ...(deps.relaySweepIntervalMs === undefined ? {} : { sweepIntervalMs: deps.relaySweepIntervalMs }),
  });
  relay.start();

  function lost(agentIds: readonly string[]): void {
    if (agentIds.length === 0) return;
    metrics.eventsLost.inc(agentIds.length);
    deps.onLost?.(agentIds);
  }

  function submitItem(item: Item): void {
    if (closed) {
      item.onDone?.(false);
      return;
    }
    if (!queue.push(item)) {
      metrics.eventsCoalesced.inc();
      item.onDone?.(false);
    }
    schedule();
  }

  function schedule(): void {
    if (scheduled || running) return;
    scheduled = true;
    const go = () => {
      scheduled = false;
      running = drain().finally(() => {
        running = undefined;
        if (queue.size > 0) schedule();
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
    while (queue.size > 0) {
      const batch = queue.take();
      inFlight = batch.length;
      try {
        await processBatch(batch);
      } catch (err) {
        log.error({ err, events: batch.length }, 'batch failed');
      } finally {
        inFlight = 0;
      }
      lost(queue.takeOverflow());
    }
  }

  async function processBatch(batch: readonly Item[]): Promise<void> {
    const fence = deps.fence();
    if (fence === null) {
      log.debug({ events: batch.length }, 'not holding the lease: events dropped');
      settle(batch, false);
      return;
    }
    const withEffects: string[] = [];
    const failed: string[] = [];
    const work: Array<Promise<void>> = [];
    const yielder = createYielder(yieldEvery);
    for (const [agentId, items] of groupByAgent(batch)) {
      work.push(
        committer.commit(agentId, items, fence).then((outcome) => {
          settle(items, outcome.kind === 'committed' || outcome.kind === 'unchanged');
          if (outcome.kind === 'committed') deps.onCommitted?.(agentId, outcome.context, outcome.effects);
          if (outcome.kind === 'committed' && outcome.effects.length > 0) {
            withEffects.push(agentId);
            effectsExecutor.executeCommitted(agentId, outcome.effects, fence);
          } else if (outcome.kind === 'failed' && !(outcome.error instanceof InvalidInputError)) {
            failed.push(agentId);
          }
        }),
      );
      const pause = yielder.after(items.length);
      if (pause) await pause;
    }
    await Promise.all(work);
    lost(failed);
    if (withEffects.length > 0) await relay.relay(withEffects);
  }

  return {
    submit(agentId, event, cause, receivedAt, onDone) {
      submitItem({ agentId, event, cause, receivedAt, onDone });
    },
    flush() {
      if (!running && !scheduled && queue.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    forget(agentId) {
      stepper.forget(agentId);
      deadlines.set(agentId, null);
    },
    reset() {
      stepper.clear();
      // A new lease holder may inherit entries the previous one could not relay.
      relay.requestFullScan();
    },
    sweepOutbox: () => relay.sweep(),
    setPolicy(next) {
      stepper.setMachine(createAgentMachine(next));
      committer.setPolicy(next);
    },
    get backlog() {
      return queue.size + inFlight;
    },
    get cachedAgents() {
      return stepper.cache.size;
    },
    get liveAgents() {
      return stepper.cache.hot;
    },
    get pendingDeadlines() {
      return deadlines.size;
    },
    async close() {
      if (closed) return;
      await this.flush();
      closed = true;
      deadlines.close();
      await relay.close();
      stepper.clear();
    },
  };
}
