import type { AgentEvent } from '@lockstep/domain';
import { describe, expect, it } from 'vitest';
import { createBatchQueue, groupByAgent, type Item } from './batch-queue.js';

const tick = (agentId: string): Item => ({
  agentId,
  event: { type: 'TICK', now: 1 },
  cause: 'tick',
  receivedAt: undefined,
});
const event = (agentId: string, n: number): Item => ({
  agentId,
  event: { type: 'TICK', now: n } as AgentEvent,
  cause: 'event',
  receivedAt: n,
});

describe('batch queue', () => {
  it('takes every event and at most ticksPerBatch ticks, oldest first', () => {
    const q = createBatchQueue({ ticksPerBatch: 2, maxQueued: 10 });
    for (const id of ['t1', 't2', 't3']) q.push(tick(id));
    q.push(event('e1', 1));
    expect(q.take().map((i) => i.agentId)).toEqual(['e1', 't1', 't2']);
    expect(q.size).toBe(1);
    expect(q.take().map((i) => i.agentId)).toEqual(['t3']);
    expect(q.size).toBe(0);
  });

  it('refuses events beyond its bound and remembers each of their agents once', () => {
    const q = createBatchQueue({ ticksPerBatch: 10, maxQueued: 2 });
    expect(q.push(event('a', 1))).toBe(true);
    expect(q.push(event('b', 2))).toBe(true);
    expect(q.push(event('a', 3))).toBe(false);
    expect(q.push(event('c', 4))).toBe(false);
    expect(q.push(event('a', 5))).toBe(false);
    // Ticks are bounded by the agents' deadlines, not by the queue.
    expect(q.push(tick('d'))).toBe(true);
    expect(q.size).toBe(3);
    expect(q.takeOverflow()).toEqual(['a', 'c']);
    expect(q.takeOverflow()).toEqual([]);
    q.take();
    expect(q.push(event('a', 6))).toBe(true);
  });

  it("groups a batch by agent, keeping each agent's order", () => {
    const groups = groupByAgent([event('a', 1), event('b', 2), event('a', 3)]);
    expect([...groups.keys()]).toEqual(['a', 'b']);
    expect(groups.get('a')?.map((i) => i.receivedAt)).toEqual([1, 3]);
  });
});
