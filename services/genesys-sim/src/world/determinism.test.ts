import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/index.js';
import type { WorldEvent } from './contract.js';
import { createWorld } from './create-world.js';
import { FIREHOSE_TICK_MS } from './firehose.js';

const ANCHOR = Date.parse('2024-03-05T17:00:00Z');

function run(name: string, seed: number | undefined, ms: number): WorldEvent[] {
  const world = createWorld({
    scenario: loadScenario(name),
    clock: 'virtual',
    anchorMs: ANCHOR,
    ...(seed === undefined ? {} : { seed }),
  });
  const events: WorldEvent[] = [];
  world.onEvent((e) => events.push(e));
  world.advance(ms);
  return events;
}

describe('determinism', () => {
  it('the same scenario, seed and anchor give the identical event sequence', () => {
    const a = run('tuesday-0900-ready-push', undefined, 120_000);
    const b = run('tuesday-0900-ready-push', undefined, 120_000);
    expect(a.length).toBeGreaterThan(500);
    expect(b).toEqual(a);
  });

  it('a different seed gives a different sequence', () => {
    const a = run('calm-day', 1, 300_000);
    const b = run('calm-day', 2, 300_000);
    expect(a.length).toBeGreaterThan(0);
    expect(b.map((e) => e.correlationId)).not.toEqual(a.map((e) => e.correlationId));
    expect(b.map((e) => e.topicName)).not.toEqual(a.map((e) => e.topicName));
  });

  it('correlation ids are UUID-shaped and unique', () => {
    const events = run('calm-day', undefined, 300_000);
    const ids = events.map((e) => e.correlationId);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('firehose', () => {
  it('emits the requested rate in simulated time across all agents', () => {
    const world = createWorld({ scenario: loadScenario('firehose-10k'), clock: 'virtual', anchorMs: ANCHOR });
    const perSecond = new Map<number, number>();
    const agents = new Set<string>();
    world.onEvent((e) => {
      const second = Math.floor((world.now() - ANCHOR) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      if (e.agentId) agents.add(e.agentId);
    });
    world.advance(3_000 - FIREHOSE_TICK_MS);
    expect([0, 1, 2].map((s) => perSecond.get(s) ?? 0)).toEqual([
      expect.toSatisfy((n: number) => Math.abs(n - 5000) <= 5),
      expect.toSatisfy((n: number) => Math.abs(n - 5000) <= 5),
      expect.toSatisfy((n: number) => Math.abs(n - 5000) <= 5),
    ]);
    expect(agents.size).toBeGreaterThan(3000);
  });
});

describe('real clock', () => {
  it('advances simulated time at speed × real time and runs due steps', async () => {
    const world = createWorld({
      scenario: loadScenario('tuesday-0900-ready-push'),
      clock: 'real',
      speed: 200,
      anchorMs: ANCHOR,
    });
    let n = 0;
    world.onEvent(() => {
      n++;
    });
    world.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    world.stop();
    world.stop();
    const elapsed = world.now() - ANCHOR;
    // 150 ms × 200 = 30 s of simulated time (timer slack allowed); the 09:00:12 push has happened.
    expect(elapsed).toBeGreaterThanOrEqual(20_000);
    expect(n).toBeGreaterThan(0);
    const stoppedAt = world.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(world.now()).toBe(stoppedAt);
  });
});

describe('firehose bound', () => {
  it('bounds the firehose to 150,000 events per wall second under the real clock', () => {
    const world = createWorld({
      scenario: loadScenario('calm-day'),
      clock: 'real',
      speed: 10,
      anchorMs: ANCHOR,
    });
    expect(() => world.act({ type: 'firehose', eventsPerSecond: 15_001 })).toThrow(
      /eventsPerSecond.*at speed 10 at most 15000/,
    );
    world.act({ type: 'firehose', eventsPerSecond: 15_000 });
    world.act({ type: 'firehose', eventsPerSecond: 0 });
    world.stop();
    // The virtual clock runs only as fast as `advance` asks: speed does not bound it.
    const virtual = createWorld({
      scenario: loadScenario('calm-day'),
      clock: 'virtual',
      speed: 10,
      anchorMs: ANCHOR,
    });
    virtual.act({ type: 'firehose', eventsPerSecond: 150_000 });
    expect(() => virtual.act({ type: 'firehose', eventsPerSecond: 150_001 })).toThrow(/eventsPerSecond/);
  });

  it('refuses a scenario whose firehose exceeds the bound at its speed', () => {
    expect(() => createWorld({ scenario: loadScenario('firehose-10k'), clock: 'real', speed: 31 })).toThrow(
      /eventsPerSecond.*5000.*at speed 31/,
    );
  });
});
