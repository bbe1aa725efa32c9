import { type RedisServer, pollUntil, startRedis } from '@lockstep/testkit';
import { buildTestAlert } from '@lockstep/webhooks';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierLogger } from './logger.js';
import { type NotifierRuntime, startNotifier } from './notifier.js';
import { engineSide, logSink, startTestReceiver, testConfig, type TestReceiver } from './testing/harness.js';

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

async function setup(extra: Record<string, string> = {}, level = 'silent') {
  const prefix = `deliv-${++n}:`;
  const engine = engineSide(server.url, prefix);
  const receiver = await startTestReceiver();
  const sink = logSink();
  const runtime: NotifierRuntime = await startNotifier(
    testConfig(server.url, prefix, extra),
    createNotifierLogger(level, sink.stream),
  );
  cleanups.push(
    () => engine.close(),
    () => receiver.close(),
    () => runtime.close(),
  );
  await engine.waitForGroup();
  return { engine, receiver, runtime, sink };
}

const received = (r: TestReceiver, count: number) =>
  pollUntil(() => r.requests.length >= count, { timeoutMs: 10_000, what: `${count} requests` });

describe('notifier delivery', () => {
  it('delivers finding.opened then finding.resolved, signed so that standardwebhooks verifies them', async () => {
    const { engine, receiver } = await setup();
    const { secret, subscription } = await engine.subscriptions.create({
      url: (await startTestReceiver()).url,
    });
    await engine.subscriptions.update(subscription.id, { url: receiver.url });
    const findingId = await engine.emit('agent-1', 'finding.opened');
    await engine.emit('agent-1', 'finding.resolved');
    await received(receiver, 2);
    const wh = new Webhook(secret);
    const payloads = receiver.requests.map((r) => {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(r.headers[h])]),
      );
      return wh.verify(r.body, headers) as { type: string; data: Record<string, unknown> };
    });
    expect(payloads.map((p) => p.type)).toEqual(['finding.opened', 'finding.resolved']);
    expect(payloads[0]?.data).toMatchObject({ findingId, agentId: 'agent-1', ruleId: 'station-dead' });
    expect(payloads[0]?.data.links).toEqual({ agent: 'http://127.0.0.1:8088/v1/agents/agent-1' });
    expect(receiver.requests[0]?.id).toBe(payloads[0]?.data.alertId);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
    // The notifier records an attempt once the receiver has answered: wait for both records.
    const log = await pollUntil(
      async () => {
        const entries = await engine.deliveries.log(subscription.id);
        return entries.length >= 2 ? entries : undefined;
      },
      { timeoutMs: 5_000, what: 'both attempts in the delivery log' },
    );
    expect(log.map((l) => [l.outcome, l.status, l.attempt])).toEqual([
      ['delivered', 204, 1],
      ['delivered', 204, 1],
    ]);
  });

  it('signs with both secrets during a rotation overlap, and with the new one only after it', async () => {
    const { engine, receiver } = await setup();
    const { secret: oldSecret, subscription } = await engine.subscriptions.create({ url: receiver.url });
    const { secret: newSecret } = await engine.subscriptions.rotateSecret(subscription.id, 2_500);
    await engine.emit('agent-1', 'finding.opened');
    await received(receiver, 1);
    const first = receiver.requests[0];
    if (first === undefined) throw new Error('no request');
    const headersOf = (r: typeof first) =>
      Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(r.headers[h])]),
      );
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(first.body, headersOf(first))).not.toThrow();
    expect(() => new Webhook(newSecret).verify(first.body, headersOf(first))).not.toThrow();
    await new Promise((r) => setTimeout(r, 2_600));
    await engine.emit('agent-2', 'finding.opened');
    await received(receiver, 2);
    const second = receiver.requests[1];
    if (second === undefined) throw new Error('no request');
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(newSecret).verify(second.body, headersOf(second))).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(second.body, headersOf(second))).toThrow();
  });

  it('never logs a secret or a signature, even at trace level', async () => {
    const { engine, receiver, sink } = await setup({}, 'trace');
    const { secret, subscription } = await engine.subscriptions.create({ url: receiver.url });
    const { secret: rotated } = await engine.subscriptions.rotateSecret(subscription.id);
    receiver.behave((i) => (i === 0 ? { status: 503 } : { status: 204 }));
    await engine.emit('agent-1', 'finding.opened');
    await received(receiver, 2);
    await pollUntil(() => sink.lines.some((l) => l.includes('alert delivered')), {
      timeoutMs: 5_000,
      what: 'log',
    });
    const text = sink.lines.join('\n');
    expect(sink.lines.length).toBeGreaterThan(3);
    for (const s of [secret, rotated]) {
      expect(text).not.toContain(s.slice('whsec_'.length, 'whsec_'.length + 16));
    }
    const signature =
      String(receiver.requests[0]?.headers['webhook-signature']).split(' ')[0]?.slice(3, 20) ?? 'x';
    expect(text).not.toContain(signature);
  });

  it('filters by event type and minimum severity', async () => {
    const { engine, receiver } = await setup();
    const other = await startTestReceiver();
    cleanups.push(() => other.close());
    await engine.subscriptions.create({ url: receiver.url, eventTypes: ['finding.resolved'] });
    await engine.subscriptions.create({ url: other.url, minSeverity: 'critical' });
    await engine.emit('agent-1', 'finding.opened');
    await engine.emit('agent-1', 'finding.resolved');
    await received(receiver, 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.map((r) => r.type)).toEqual(['finding.resolved']);
    expect(other.requests).toEqual([]);
  });

  it('serves metrics: attempts by outcome, backlog, oldest age and dead letters per subscription', async () => {
    const { engine, receiver, runtime } = await setup();
    const { subscription } = await engine.subscriptions.create({ url: receiver.url });
    await engine.emit('agent-1', 'finding.opened');
    await received(receiver, 1);
    const res = await fetch(`http://127.0.0.1:${runtime.metricsServer.port()}/metrics`);
    const text = await res.text();
    expect(text).toContain('lockstep_webhook_attempts_total{outcome="delivered"} 1');
    expect(text).toContain(`lockstep_webhook_backlog{subscription="${subscription.id}"} 0`);
    expect(text).toContain(`lockstep_webhook_dead_letters{subscription="${subscription.id}"} 0`);
    expect(text).toContain('lockstep_webhook_oldest_undelivered_age_seconds');
    expect(text).toMatch(/lockstep_webhook_attempt_duration_seconds_count\{outcome="delivered"\} 1/);
    const health = await fetch(`http://127.0.0.1:${runtime.metricsServer.port()}/healthz`);
    expect(health.status).toBe(200);
  });

  it('delivers a webhook.test alert queued for one subscription (POST /webhooks/{id}/test)', async () => {
    const { engine, receiver } = await setup();
    const other = await startTestReceiver();
    cleanups.push(() => other.close());
    const { subscription, secret } = await engine.subscriptions.create({ url: receiver.url });
    await engine.subscriptions.create({ url: other.url });
    const alert = buildTestAlert(subscription.id, 'request-1', Date.now());
    expect(await engine.deliveries.enqueue(subscription.id, alert)).toBe(true);
    await received(receiver, 1);
    const r = receiver.requests[0];
    if (r === undefined) throw new Error('no request');
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(r.headers[h])]),
    );
    expect(new Webhook(secret).verify(r.body, headers)).toMatchObject({
      type: 'webhook.test',
      data: { subscriptionId: subscription.id },
    });
    await new Promise((res) => setTimeout(res, 300));
    expect(other.requests).toEqual([]);
  });
});
