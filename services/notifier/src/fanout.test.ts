import { connectRedis, type RedisClient } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import {
  buildSystemAlert,
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
  UNKNOWN_PROFILE,
} from '@lockstep/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFanout } from './fanout.js';
import { createNotifierMetrics } from './metrics.js';

let server: RedisServer;
let redis: RedisClient;

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url, { connectionName: 'fanout-test' });
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

describe('storm control', () => {
  it('holds back alerts past the per-minute cap as recoverable dead letters, then sends one summary', async () => {
    let clock = Date.parse('2026-03-03T09:00:10Z');
    const keys = createWebhookKeys('storm:');
    const subscriptions = createSubscriptionStore({
      redis,
      keys,
      ssrf: { allowHttp: false, allowedCidrs: [] },
    });
    const deliveries = createDeliveryQueue({ redis, keys, now: () => clock });
    const metrics = createNotifierMetrics(() => Promise.resolve([]));
    const fanout = createFanout({
      redis,
      keys,
      subscriptions,
      deliveries,
      metrics,
      maxPerMinute: 2,
      now: () => clock,
    });
    const { subscription } = await subscriptions.create({ url: 'https://hooks.example.com/s' });
    const records = await subscriptions.listRecords();
    const alerts = Array.from({ length: 5 }, (_, i) => ({
      ...buildSystemAlert('finding.opened', `a${i}`, clock, {}),
      agentId: `agent-${i}`,
    }));
    for (const a of alerts) await fanout.publish(a, UNKNOWN_PROFILE, records);
    expect(await deliveries.backlog(subscription.id)).toMatchObject({ count: 2, dead: 3 });
    expect((await deliveries.deadLetters(subscription.id)).map((d) => d.record.lastStatus)).toEqual([
      'suppressed',
      'suppressed',
      'suppressed',
    ]);
    await fanout.flushStorms([subscription.id]);
    expect((await deliveries.backlog(subscription.id)).count).toBe(2); // the minute is not over yet
    clock += 60_000;
    await fanout.flushStorms([subscription.id]);
    await fanout.flushStorms([subscription.id]);
    expect((await deliveries.backlog(subscription.id)).count).toBe(3);
    const claimed = await deliveries.claimDue(subscription.id, 't', 10_000, 10);
    const summary = claimed.find((c) => c.record.type === 'alerts.suppressed');
    expect(JSON.parse(summary?.record.body ?? '{}')).toMatchObject({
      type: 'alerts.suppressed',
      data: { subscriptionId: subscription.id, heldBack: 3, cap: 2, minuteStart: '2026-03-03T09:00:00.000Z' },
    });
    expect(await deliveries.recover(subscription.id, 0)).toBe(3);
    // A new minute has its own cap.
    await fanout.publish({ ...alerts[0]!, id: 'msg_new' }, UNKNOWN_PROFILE, records);
    expect((await deliveries.get(subscription.id, 'msg_new'))?.state).toBe('pending');
  });
});
