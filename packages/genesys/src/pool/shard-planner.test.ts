import { describe, expect, it } from 'vitest';
import { planShards } from './shard-planner.js';

const counts = (n: number, each = 2, prefix = 'agent:') =>
  new Map(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, each] as const));

describe('planShards', () => {
  it('packs at most maxTopicsPerChannel topics per channel', () => {
    const plan = planShards({
      channels: [],
      topicCounts: counts(1_200),
      maxTopicsPerChannel: 1_000,
      maxChannels: 20,
    });
    expect(plan.newChannels).toHaveLength(3);
    for (const ch of plan.newChannels) expect(ch.length * 2).toBeLessThanOrEqual(1_000);
    expect(plan.newChannels.flat()).toHaveLength(1_200);
    expect(plan.unplaced).toEqual([]);
  });

  it('reports the units that do not fit within maxChannels', () => {
    const plan = planShards({
      channels: [],
      topicCounts: counts(25),
      maxTopicsPerChannel: 10,
      maxChannels: 2,
    });
    expect(plan.newChannels.flat()).toHaveLength(10);
    expect(plan.unplaced).toHaveLength(15);
  });

  it('keeps existing units where they are and removes unwanted ones', () => {
    const plan = planShards({
      channels: [
        { id: 'c1', units: ['agent:0', 'agent:1', 'agent:gone'] },
        { id: 'c2', units: ['agent:2'] },
      ],
      topicCounts: counts(4),
      maxTopicsPerChannel: 1_000,
      maxChannels: 20,
    });
    expect(plan.channels.get('c1')).toEqual(['agent:0', 'agent:1']);
    // agent:3 is new and goes to the least loaded channel.
    expect(plan.channels.get('c2')).toEqual(['agent:2', 'agent:3']);
    expect(plan.newChannels).toEqual([]);
  });

  it('moves overflow when a unit grew beyond the channel capacity', () => {
    const topicCounts = new Map([
      ['agent:a', 3],
      ['agent:b', 3],
    ]);
    const plan = planShards({
      channels: [{ id: 'c1', units: ['agent:a', 'agent:b'] }],
      topicCounts,
      maxTopicsPerChannel: 4,
      maxChannels: 2,
    });
    expect(plan.channels.get('c1')).toEqual(['agent:a']);
    expect(plan.newChannels).toEqual([['agent:b']]);
  });
});
