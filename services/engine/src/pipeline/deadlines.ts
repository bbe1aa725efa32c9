import type { Clock, TimerHandle } from '@lockstep/genesys';

/**
 * Per-agent deadlines behind ONE timer: a binary min-heap with lazy deletion (an agent's current deadline lives
 * in a map; heap entries that no longer match it are skipped). When the earliest deadline passes, `onDue` gets
 * every agent that is due, each once.
 */
export interface Deadlines {
  /** Sets (or with `null` clears) an agent's deadline, epoch ms on the given clock. */
  set(agentId: string, at: number | null): void;
  /** The agent's current deadline, or `undefined`. */
  get(agentId: string): number | undefined;
  readonly size: number;
  /** Cancels the timer and forgets every deadline. Idempotent. */
  close(): void;
}

export interface DeadlinesDeps {
  readonly clock: Clock;
  readonly onDue: (agentIds: readonly string[], now: number) => void;
  /** Never fire earlier than this after a deadline is set at or before "now" (no busy loops). Default 5 ms. */
  readonly minDelayMs?: number;
}

interface Entry {
  readonly at: number;
  readonly agentId: string;
}

export function createDeadlines(deps: DeadlinesDeps): Deadlines {
  const { clock } = deps;
  const minDelay = deps.minDelayMs ?? 5;
  const current = new Map<string, number>();
  const heap: Entry[] = [];
  let timer: TimerHandle | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  let closed = false;

  const less = (a: Entry, b: Entry) => a.at < b.at;
  function push(e: Entry): void {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
      if (!less(e, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = e;
  }
  function pop(): Entry | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      let s = last;
      const left = heap[l];
      const right = heap[r];
      if (left !== undefined && less(left, s)) {
        smallest = l;
        s = left;
      }
      if (right !== undefined && less(right, s)) smallest = r;
      if (smallest === i) break;
      heap[i] = heap[smallest] as Entry;
      i = smallest;
    }
    heap[i] = last;
    return top;
  }
  // Drops stale heap tops so that heap[0] is a live deadline (or the heap is empty).
  function peekLive(): Entry | undefined {
    for (;;) {
      const top = heap[0];
      if (top === undefined || current.get(top.agentId) === top.at) return top;
      pop();
    }
  }
  function arm(): void {
    if (closed) return;
    const top = peekLive();
    if (top === undefined) {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    const at = Math.max(top.at, clock.now() + minDelay);
    if (timer !== undefined && timerAt <= at) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(fire, at - clock.now());
  }
  function fire(): void {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    if (closed) return;
    const now = clock.now();
    const due: string[] = [];
    for (let top = peekLive(); top !== undefined && top.at <= now; top = peekLive()) {
      pop();
      current.delete(top.agentId);
      due.push(top.agentId);
    }
    // Compact when stale entries dominate (many reschedules of the same agents).
    if (heap.length > 1024 && heap.length > 4 * current.size) {
      heap.length = 0;
      for (const [agentId, at] of current) push({ agentId, at });
    }
    arm();
    if (due.length > 0) deps.onDue(due, now);
  }

  return {
    set(agentId, at) {
      if (closed) return;
      if (at === null || !Number.isFinite(at)) {
        current.delete(agentId);
        return;
      }
      if (current.get(agentId) === at) return;
      current.set(agentId, at);
      push({ agentId, at });
      arm();
    },
    get: (agentId) => current.get(agentId),
    get size() {
      return current.size;
    },
    close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      current.clear();
      heap.length = 0;
    },
  };
}
