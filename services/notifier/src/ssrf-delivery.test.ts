import { type RedisServer, pollUntil, startRedis } from '@lockstep/testkit';
import type { LookupAll } from '@lockstep/webhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierLogger } from './logger.js';
import { startNotifier } from './notifier.js';
import { engineSide, startTestReceiver, testConfig } from './testing/harness.js';

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

/** A resolver stub: answers from `answers` in turn (the last one repeats) and counts the questions. */
function scriptedLookup(answers: readonly string[]): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const fn = (host: string) => {
    const address = answers[Math.min(calls.length, answers.length - 1)] ?? '';
    calls.push(host);
    return Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
  };
  return Object.assign(fn, { calls });
}

async function setup(lookup: LookupAll, extra: Record<string, string> = {}) {
  const prefix = `ssrf-${++n}:`;
  const engine = engineSide(server.url, prefix);
  const receiver = await startTestReceiver();
  const runtime = await startNotifier(
    testConfig(server.url, prefix, { WEBHOOK_RETRY_SCHEDULE: '0s,100ms,100ms', ...extra }),
    createNotifierLogger('silent'),
    { lookup },
  );
  cleanups.push(
    () => engine.close(),
    () => receiver.close(),
    () => runtime.close(),
  );
  await engine.waitForGroup();
  return { engine, receiver };
}

describe('SSRF guard at delivery', () => {
  it('connects to the address it checked: the socket does no DNS lookup of its own', async () => {
    // `.test` names never resolve in public DNS: a delivery that arrives used the checked address.
    const lookup = scriptedLookup(['127.0.0.1']);
    const { engine, receiver } = await setup(lookup);
    await engine.subscriptions.create({ url: `http://hooks.test:${receiver.port}/hook` });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => receiver.requests.length === 1, { timeoutMs: 10_000, what: 'the delivery' });
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.test:${receiver.port}`);
    expect(lookup.calls).toEqual(['hooks.test']);
  });

  it('a DNS answer that changes to a refused address after the first check is refused at the next delivery', async () => {
    const lookup = scriptedLookup(['127.0.0.1', '10.0.0.7']);
    const { engine, receiver } = await setup(lookup);
    const { subscription } = await engine.subscriptions.create({
      url: `http://rebind.test:${receiver.port}/hook`,
    });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => receiver.requests.length === 1, { timeoutMs: 10_000, what: 'the first delivery' });
    await engine.emit('agent-2', 'finding.opened');
    await pollUntil(async () => (await engine.deliveries.deadLetters(subscription.id)).length === 1, {
      timeoutMs: 10_000,
      what: 'the second alert refused until dead',
    });
    const log = await engine.deliveries.log(subscription.id);
    expect(log[0]?.error).toBe(
      'refused: host rebind.test resolves to a refused address: address 10.0.0.7 is in the private range',
    );
    expect(log[0]?.status).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it.each([
    ['169.254.169.254', /metadata/],
    ['::ffff:127.0.0.2', /IPv4-mapped form of 127\.0\.0\.2.*loopback/],
    ['100.64.1.1', /carrierGradeNat/],
  ])('a name resolving to %s is refused at delivery', async (address, why) => {
    const { engine, receiver } = await setup(scriptedLookup([address]));
    const { subscription } = await engine.subscriptions.create({
      url: `http://evil.test:${receiver.port}/hook`,
    });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(async () => (await engine.deliveries.deadLetters(subscription.id)).length === 1, {
      timeoutMs: 10_000,
      what: 'the alert refused until dead',
    });
    expect((await engine.deliveries.log(subscription.id))[0]?.error).toMatch(why);
    expect(receiver.requests).toEqual([]);
  });

  it('without WEBHOOK_ALLOWED_CIDRS, a name resolving to loopback is refused at delivery', async () => {
    const { engine, receiver } = await setup(scriptedLookup(['127.0.0.1']), { WEBHOOK_ALLOWED_CIDRS: '' });
    const { subscription } = await engine.subscriptions.create({
      url: `http://local.test:${receiver.port}/hook`,
    });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(async () => (await engine.deliveries.deadLetters(subscription.id)).length === 1, {
      timeoutMs: 10_000,
      what: 'the alert refused until dead',
    });
    expect((await engine.deliveries.log(subscription.id))[0]?.error).toMatch(
      /127\.0\.0\.1 is in the loopback range/,
    );
    expect(receiver.requests).toEqual([]);
  });

  it('a resolver that never answers fails the attempt within half the timeout, and nothing is sent', async () => {
    const hanging: LookupAll = () => new Promise(() => undefined);
    const { engine, receiver } = await setup(hanging);
    const { subscription } = await engine.subscriptions.create({
      url: `http://slow.test:${receiver.port}/hook`,
    });
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(async () => (await engine.deliveries.log(subscription.id)).length >= 1, {
      timeoutMs: 10_000,
      what: 'a failed attempt',
    });
    const [entry] = await engine.deliveries.log(subscription.id);
    expect(entry).toMatchObject({ error: 'dns-timeout', status: 0, outcome: 'retry', attempt: 1 });
    expect(receiver.requests).toEqual([]);
  });
});
