import { type RedisServer, pollUntil, startRedis } from '@lockstep/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierLogger } from './logger.js';
import { startNotifier } from './notifier.js';
import { engineSide, startTestReceiver, testConfig, type TestReceiver } from './testing/harness.js';

let server: RedisServer;
let n = 0;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await server.stop();
});

async function setup(extra: Record<string, string> = {}) {
  const prefix = `fail-${++n}:`;
  const engine = engineSide(server.url, prefix);
  const runtime = await startNotifier(testConfig(server.url, prefix, extra), createNotifierLogger('silent'));
  cleanups.push(
    () => engine.close(),
    () => runtime.close(),
  );
  await engine.waitForGroup();
  return { engine, runtime };
}

async function receiver(port = 0): Promise<TestReceiver> {
  const r = await startTestReceiver(port);
  cleanups.push(() => r.close());
  return r;
}

describe('notifier under receiver failures', () => {
  it('loses nothing while the receiver refuses connections, then answers 503 with Retry-After', async () => {
    const { engine } = await setup({ WEBHOOK_RETRY_SCHEDULE: `0s${',200ms'.repeat(11)}` });
    const probe = await startTestReceiver();
    const port = probe.port;
    await probe.close(); // nothing listens on the port: connection refused
    const { subscription } = await engine.subscriptions.create({ url: `http://127.0.0.1:${port}/hook` });
    for (const agent of ['agent-1', 'agent-2']) {
      await engine.emit(agent, 'finding.opened');
      await engine.emit(agent, 'finding.resolved');
    }
    await engine.emit('agent-3', 'finding.opened');
    await pollUntil(
      async () =>
        (await engine.deliveries.log(subscription.id)).filter((l) => l.error === 'ECONNREFUSED').length >= 4,
      { timeoutMs: 10_000, what: 'refused attempts' },
    );
    const back = await receiver(port);
    let served503 = 0;
    back.behave(() => (served503++ < 2 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 204 }));
    await pollUntil(async () => (await engine.deliveries.backlog(subscription.id)).count === 0, {
      timeoutMs: 20_000,
      what: 'an empty backlog',
    });
    const ok = back.requests.filter((_, i) => i >= 2);
    expect(new Set(ok.map((r) => r.id)).size).toBe(5);
    expect(await engine.deliveries.deadLetters(subscription.id)).toEqual([]);
    // A duplicate carries the same webhook-id and the same bytes.
    const first503 = back.requests[0];
    const retried = back.requests.find((r, i) => i > 0 && r.id === first503?.id);
    expect(retried?.body).toBe(first503?.body);
    // Retry-After (1 s) replaced the 200 ms step of the schedule.
    expect((retried?.at ?? 0) - (first503?.at ?? 0)).toBeGreaterThanOrEqual(950);
    // Per agent, finding.opened reached the receiver before finding.resolved.
    for (const agent of ['agent-1', 'agent-2']) {
      const types = back.requests.filter((r) => r.data.agentId === agent).map((r) => r.type);
      expect(types.indexOf('finding.opened')).toBeLessThan(types.lastIndexOf('finding.resolved'));
      expect(types.lastIndexOf('finding.opened')).toBeLessThan(types.indexOf('finding.resolved'));
    }
  });

  it('410 disables the subscription at once and tells the other subscriptions', async () => {
    const { engine } = await setup();
    const [gone, other] = [await receiver(), await receiver()];
    gone.behave(() => ({ status: 410 }));
    const { subscription } = await engine.subscriptions.create({ url: gone.url });
    await engine.subscriptions.create({ url: other.url });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => other.requests.some((r) => r.type === 'subscription.disabled'), {
      timeoutMs: 10_000,
      what: 'subscription.disabled at the other receiver',
    });
    expect(await engine.subscriptions.get(subscription.id)).toMatchObject({
      enabled: false,
      disabledReason: 'the receiver answered 410 Gone',
    });
    expect(other.requests.find((r) => r.type === 'subscription.disabled')?.data).toMatchObject({
      subscriptionId: subscription.id,
      origin: `http://127.0.0.1:${gone.port}`,
    });
    expect(other.requests.find((r) => r.type === 'subscription.disabled')?.body).not.toContain('/hook');
    await engine.emit('agent-2', 'finding.opened');
    await pollUntil(() => other.requests.filter((r) => r.type === 'finding.opened').length === 2, {
      timeoutMs: 10_000,
      what: 'the second alert at the other receiver',
    });
    expect(gone.requests).toHaveLength(1);
  });

  it('a 3xx is a failure and the redirect is never followed', async () => {
    const { engine } = await setup();
    const [redirecting, target] = [await receiver(), await receiver()];
    redirecting.behave(() => ({ status: 302, headers: { location: target.url } }));
    const { subscription } = await engine.subscriptions.create({ url: redirecting.url });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => redirecting.requests.length >= 3, { timeoutMs: 10_000, what: 'three attempts' });
    expect(target.requests).toEqual([]);
    const log = await engine.deliveries.log(subscription.id);
    expect(log.slice(-2).map((l) => [l.status, l.outcome])).toEqual([
      [302, 'retry'],
      [302, 'retry'],
    ]);
  });

  it('exhausted deliveries become dead letters; replay and "recover since" deliver them again', async () => {
    const { engine } = await setup({ WEBHOOK_RETRY_SCHEDULE: '0s,100ms' });
    const r = await receiver();
    r.behave(() => ({ status: 500, body: 'x'.repeat(5_000) }));
    const { subscription } = await engine.subscriptions.create({ url: r.url });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(async () => (await engine.deliveries.deadLetters(subscription.id)).length === 1, {
      timeoutMs: 10_000,
      what: 'a dead letter',
    });
    const boundary = Date.now();
    await new Promise((res) => setTimeout(res, 20));
    await engine.emit('agent-2', 'finding.opened');
    await engine.emit('agent-3', 'finding.opened');
    await pollUntil(async () => (await engine.deliveries.deadLetters(subscription.id)).length === 3, {
      timeoutMs: 10_000,
      what: 'three dead letters',
    });
    const log = await engine.deliveries.log(subscription.id);
    expect(log).toHaveLength(6);
    expect(log[0]).toMatchObject({ status: 500, outcome: 'dead', attempt: 2 });
    expect(Buffer.byteLength(log[0]?.excerpt ?? '')).toBe(1024);
    r.behave(() => ({ status: 204 }));
    const first = (await engine.deliveries.deadLetters(subscription.id)).find((d) => d.diedAt < boundary);
    if (first === undefined) throw new Error('first dead letter missing');
    await engine.deliveries.replay(first.id);
    await pollUntil(
      async () => (await engine.deliveries.get(subscription.id, first.record.alertId))?.state === 'delivered',
      {
        timeoutMs: 10_000,
        what: 'the replayed letter delivered',
      },
    );
    expect(await engine.deliveries.recover(subscription.id, boundary)).toBe(2);
    await pollUntil(async () => (await engine.deliveries.backlog(subscription.id)).count === 0, {
      timeoutMs: 10_000,
      what: 'the recovered letters delivered',
    });
    expect(await engine.deliveries.deadLetters(subscription.id)).toEqual([]);
    const okIds = r.requests.slice(6).map((x) => x.id);
    expect(new Set(okIds).size).toBe(3);
  });

  it('disables a subscription whose every attempt failed for the disable period', async () => {
    const { engine } = await setup({
      WEBHOOK_DISABLE_AFTER: '1s',
      WEBHOOK_RETRY_SCHEDULE: `0s${',200ms'.repeat(20)}`,
    });
    const [failing, other] = [await receiver(), await receiver()];
    failing.behave(() => ({ status: 500 }));
    const { subscription } = await engine.subscriptions.create({ url: failing.url });
    await engine.subscriptions.create({ url: other.url, eventTypes: ['subscription.disabled'] });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => other.requests.length === 1, { timeoutMs: 10_000, what: 'subscription.disabled' });
    const sub = await engine.subscriptions.get(subscription.id);
    expect(sub.enabled).toBe(false);
    expect(sub.disabledReason).toMatch(/^every attempt failed since /);
    expect(failing.requests.length).toBeGreaterThanOrEqual(5);
    expect(other.requests[0]?.type).toBe('subscription.disabled');
  });
});
