import { describe, expect, it } from 'vitest';
import type { WorldEvent } from '../world/contract.js';
import { createDeliveryFaults } from './delivery-faults.js';
import { createStats } from './stats.js';

const ev = (n: number, topic = 'v2.users.a.presence', agentId = 'a'): WorldEvent => ({
  topicName: topic,
  eventBody: { n },
  correlationId: `c${n}`,
  agentId,
});

const setup = (draws: number[] = []) => {
  const out: number[] = [];
  const stats = createStats();
  const faults = createDeliveryFaults({
    deliver: (e) => out.push(e.eventBody.n as number),
    random: () => draws.shift() ?? 0,
    stats,
  });
  return { out, stats, faults };
};

describe('createDeliveryFaults', () => {
  it('delivers untouched without rules', () => {
    const { out, faults } = setup();
    faults.process(ev(1));
    expect(out).toEqual([1]);
  });

  it('drops only matching events, by topic substring (case-insensitive) and agent', () => {
    const { out, stats, faults } = setup();
    faults.add('f', { mode: 'drop', topic: '.presence', agentId: 'a', probability: 1, delayMs: 0 });
    faults.process(ev(1, 'v2.users.a.PRESENCE'));
    faults.process(ev(2, 'v2.users.a.routingStatus'));
    faults.process(ev(3, 'v2.users.b.presence', 'b'));
    expect(out).toEqual([2, 3]);
    expect(stats.dropped.fault).toBe(1);
  });

  it('uses the probability draw', () => {
    const { out, faults } = setup([0.9, 0.1]);
    faults.add('f', { mode: 'drop', probability: 0.5, delayMs: 0 });
    faults.process(ev(1));
    faults.process(ev(2));
    expect(out).toEqual([1]);
  });

  it('duplicates', () => {
    const { out, faults } = setup();
    faults.add('f', { mode: 'duplicate', probability: 1, delayMs: 0 });
    faults.process(ev(1));
    expect(out).toEqual([1, 1]);
  });

  it('delays, letting later unmatched events overtake', async () => {
    const { out, faults } = setup();
    faults.add('f', { mode: 'delay', topic: 'presence', probability: 1, delayMs: 30 });
    faults.process(ev(1));
    faults.process(ev(2, 'v2.users.a.routingStatus'));
    expect(out).toEqual([2]);
    await new Promise((r) => setTimeout(r, 60));
    expect(out).toEqual([2, 1]);
    faults.close();
  });

  it('reorders held events newest first, and releases them when the rule ends', async () => {
    const { out, faults } = setup();
    faults.add('f', { mode: 'reorder', probability: 1, delayMs: 20 });
    for (const n of [1, 2, 3]) faults.process(ev(n));
    expect(out).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(out).toEqual([3, 2, 1]);
    faults.process(ev(4));
    faults.process(ev(5));
    faults.remove('f');
    expect(out).toEqual([3, 2, 1, 5, 4]);
    faults.process(ev(6));
    expect(out.at(-1)).toBe(6);
  });
});
