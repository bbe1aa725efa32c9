import { connectRedis, type RedisClient } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, buildSystemAlert } from './alert.js';
import { type AttemptLogEntry, createDeliveryQueue } from './deliveries.js';
import { WebhookNotFoundError } from './errors.js';
import { createWebhookKeys } from './keys.js';

let server: RedisServer;
let redis: RedisClient;
let clock = 1_000_000;
let n = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url, { connectionName: 'deliveries-test' });
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

const queue = () => createDeliveryQueue({ redis, keys: createWebhookKeys(`dq-${++n}:`), now: () => clock });
const alert = (key: string, agentId: string | null = 'agent-1'): Alert => ({
  ...buildSystemAlert('finding.opened', key, clock, { key }),
  agentId,
});
const log = (outcome: AttemptLogEntry['outcome'], attempt = 1): AttemptLogEntry => ({
  alertId: 'x',
  type: 'finding.opened',
  at: clock,
  attempt,
  status: outcome === 'delivered' ? 200 : 503,
  error: null,
  latencyMs: 3,
  outcome,
  excerpt: '',
});

describe('delivery queue', () => {
  it('queues an alert once per subscription, however often the outbox entry is replayed', async () => {
    const q = queue();
    const a = alert('a');
    expect(await q.enqueue('wh_1', a)).toBe(true);
    expect(await q.enqueue('wh_1', a)).toBe(false);
    expect(await q.enqueue('wh_2', a)).toBe(true);
    expect(await q.backlog('wh_1')).toEqual({ count: 1, oldestAt: clock, dead: 0 });
  });

  it('hands a lane to one worker at a time, head first, and keeps per-agent order', async () => {
    const q = queue();
    const [a1, a2, b1] = [alert('a1'), alert('a2'), alert('b1', 'agent-2')];
    for (const x of [a1, a2, b1]) await q.enqueue('wh_1', x);
    const first = await q.claimDue('wh_1', 'w1', 10_000, 10);
    expect(first.map((c) => c.record.alertId).sort()).toEqual([a1.id, b1.id].sort());
    expect(await q.claimDue('wh_1', 'w2', 10_000, 10)).toEqual([]);
    const claimedA = first.find((c) => c.record.alertId === a1.id);
    if (claimedA === undefined) throw new Error('a1 not claimed');
    expect(
      await q.finish(claimedA, { outcome: 'delivered', nextAttemptAt: 0, log: log('delivered') }),
    ).toEqual({
      failingSince: 0,
    });
    const next = await q.claimDue('wh_1', 'w2', 10_000, 10);
    expect(next.map((c) => c.record.alertId)).toEqual([a2.id]);
    expect(await q.get('wh_1', a1.id)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it('a retry keeps the lane waiting until its time; the lock of a dead worker expires', async () => {
    const q = queue();
    const a = alert('r');
    await q.enqueue('wh_1', a);
    const [c] = await q.claimDue('wh_1', 'w1', 10_000, 1);
    if (c === undefined) throw new Error('not claimed');
    expect(await q.finish(c, { outcome: 'retry', nextAttemptAt: clock + 5_000, log: log('retry') })).toEqual({
      failingSince: clock,
    });
    expect(await q.claimDue('wh_1', 'w1', 10_000, 1)).toEqual([]);
    clock += 5_000;
    const [again] = await q.claimDue('wh_1', 'w1', 50, 1);
    expect(again?.record).toMatchObject({ alertId: a.id, attempts: 1, lastStatus: '503' });
    await new Promise((r) => setTimeout(r, 80)); // w1 "dies" holding the lock; it expires
    const [taken] = await q.claimDue('wh_1', 'w2', 10_000, 1);
    expect(taken?.record.alertId).toBe(a.id);
    if (again === undefined || taken === undefined) throw new Error('not claimed');
    expect(
      await q.finish(again, { outcome: 'delivered', nextAttemptAt: 0, log: log('delivered') }),
    ).toBeNull();
  });

  it('dead letters are listed, replayed one by one or recovered since a time, and logged', async () => {
    const q = queue();
    const [a, b] = [alert('d1'), alert('d2', 'agent-2')];
    await q.enqueue('wh_1', a);
    await q.enqueue('wh_1', b);
    for (const c of await q.claimDue('wh_1', 'w', 10_000, 10)) {
      await q.finish(c, { outcome: 'dead', nextAttemptAt: 0, log: log('dead', 8) });
      clock += 1_000;
    }
    const dead = await q.deadLetters('wh_1');
    expect(dead.map((d) => d.record.state)).toEqual(['dead', 'dead']);
    expect(await q.backlog('wh_1')).toMatchObject({ count: 0, dead: 2 });
    const newest = dead[0];
    if (newest === undefined) throw new Error('no dead letter');
    expect(await q.recover('wh_1', newest.diedAt)).toBe(1);
    expect((await q.deadLetters('wh_1')).map((d) => d.id)).toEqual([dead[1]?.id]);
    await q.replay(dead[1]?.id ?? '');
    await expect(q.replay(dead[1]?.id ?? '')).rejects.toThrow(WebhookNotFoundError);
    expect(await q.backlog('wh_1')).toMatchObject({ count: 2, dead: 0 });
    expect((await q.claimDue('wh_1', 'w', 10_000, 10)).map((c) => c.record.attempts)).toEqual([0, 0]);
    expect((await q.log('wh_1')).map((l) => l.outcome)).toEqual(['dead', 'dead']);
  });

  it('storm-suppressed alerts go straight to the dead letters, recoverable', async () => {
    const q = queue();
    const a = alert('s');
    expect(await q.enqueue('wh_1', a, 'suppressed')).toBe(true);
    expect(await q.claimDue('wh_1', 'w', 10_000, 10)).toEqual([]);
    expect((await q.deadLetters('wh_1'))[0]?.record).toMatchObject({
      lastStatus: 'suppressed',
      state: 'dead',
    });
    expect(await q.recover('wh_1', 0)).toBe(1);
    expect((await q.claimDue('wh_1', 'w', 10_000, 10)).map((c) => c.record.alertId)).toEqual([a.id]);
  });
});
