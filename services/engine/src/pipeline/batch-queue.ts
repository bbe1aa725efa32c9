import type { AgentEvent } from '@lockstep/domain';
import type { HistoryCause } from '@lockstep/store';

/** One submitted event. */
export interface Item {
  readonly agentId: string;
  readonly event: AgentEvent;
  readonly cause: HistoryCause;
  readonly receivedAt: number | undefined;
  /** Learns whether the event reached Redis (see `Pipeline.submit`). */
  readonly onDone?: ((committed: boolean) => void) | undefined;
}

export interface BatchQueueOptions {
  /** Deadline ticks a batch takes at most (the others wait for the next batches). */
  readonly ticksPerBatch: number;
  /** Events (ticks aside) queued at most; beyond it an agent's events are coalesced into one resync. */
  readonly maxQueued: number;
}

/**
 * The events waiting for the next batch (batching only: no I/O, no timers). Deadline ticks wait apart: each batch
 * takes every queued event but at most `ticksPerBatch` ticks, so that a burst of deadlines falling due together
 * (e.g. graces started by one resync of every agent) is spread over several batches instead of holding fresh
 * events back for one long batch.
 *
 * The queue is bounded: past `maxQueued` events (e.g. while Redis does not answer and batches fail slowly), a new
 * event is not kept; its agent is remembered once instead (`takeOverflow`), to be re-read over REST. Memory is
 * then bounded by `maxQueued` events plus one id per agent, however long the backlog lasts.
 */
export interface BatchQueue {
  /** Queues an item. Returns false when the queue is full (the agent is then remembered as overflowed). */
  push(item: Item): boolean;
  /** Everything queued, with at most `ticksPerBatch` ticks (the oldest first). */
  take(): Item[];
  /** Queued items (events and ticks). */
  readonly size: number;
  /** The agents whose events were coalesced since the last call, and forgets them. */
  takeOverflow(): string[];
}

export function createBatchQueue(options: BatchQueueOptions): BatchQueue {
  let queue: Item[] = [];
  const ticks: Item[] = [];
  const overflow = new Set<string>();
  return {
    push(item) {
      if (item.cause === 'tick') ticks.push(item);
      else if (queue.length < options.maxQueued) queue.push(item);
      else {
        overflow.add(item.agentId);
        return false;
      }
      return true;
    },
    take() {
      let batch = queue;
      queue = [];
      if (ticks.length > 0) batch = batch.concat(ticks.splice(0, options.ticksPerBatch));
      return batch;
    },
    get size() {
      return queue.length + ticks.length;
    },
    takeOverflow() {
      const ids = [...overflow];
      overflow.clear();
      return ids;
    },
  };
}

/** Groups a batch by agent, keeping each agent's order. Pure. */
export function groupByAgent(batch: readonly Item[]): Map<string, Item[]> {
  const byAgent = new Map<string, Item[]>();
  for (const item of batch) {
    const list = byAgent.get(item.agentId);
    if (list) list.push(item);
    else byAgent.set(item.agentId, [item]);
  }
  return byAgent;
}
