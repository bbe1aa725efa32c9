import { describe, expect, it } from 'vitest';
import { createScheduler } from './scheduler.js';

describe('scheduler', () => {
  it('runs steps in time order, ties in scheduling order, and moves now to each step', () => {
    const s = createScheduler();
    const log: string[] = [];
    s.at(20, () => log.push(`b@${s.now}`));
    s.at(10, () => log.push(`a@${s.now}`));
    s.at(20, () => log.push(`c@${s.now}`));
    s.at(10, () => {
      log.push(`d@${s.now}`);
      s.after(0, () => log.push(`e@${s.now}`));
    });
    s.runUntil(15);
    expect(log).toEqual(['a@10', 'd@10', 'e@10']);
    expect(s.now).toBe(15);
    s.runUntil(100);
    expect(log.slice(3)).toEqual(['b@20', 'c@20']);
    expect(s.now).toBe(100);
  });

  it('cancels pending steps and clamps past instants to now', () => {
    const seen: number[] = [];
    const s = createScheduler((at) => seen.push(at));
    s.runUntil(50);
    const h = s.at(60, () => {
      throw new Error('cancelled step ran');
    });
    s.at(10, () => {});
    expect(seen).toEqual([60, 50]);
    expect(s.size).toBe(2);
    s.cancel(h);
    s.cancel(h);
    expect(s.size).toBe(1);
    expect(s.nextAt()).toBe(50);
    s.runUntil(100);
    expect(s.size).toBe(0);
    expect(s.nextAt()).toBeUndefined();
  });
});
