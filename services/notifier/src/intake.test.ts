import { createKeys } from '@lockstep/store';
import { type RedisServer, pollUntil, startRedis } from '@lockstep/testkit';
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

async function run(start: 'new' | 'all' | undefined) {
  const prefix = `intake-${++n}:`;
  const engine = engineSide(server.url, prefix);
  const receiver = await startTestReceiver();
  cleanups.push(
    () => engine.close(),
    () => receiver.close(),
  );
  await engine.subscriptions.create({ url: receiver.url });
  await engine.emit('agent-old', 'finding.opened'); // committed before the notifier's group exists
  const runtime = await startNotifier(
    testConfig(server.url, prefix, start === undefined ? {} : { NOTIFIER_OUTBOX_START: start }),
    createNotifierLogger('silent'),
  );
  cleanups.push(() => runtime.close());
  await engine.waitForGroup();
  await engine.emit('agent-new', 'finding.opened');
  await pollUntil(() => receiver.requests.some((r) => r.data.agentId === 'agent-new'), {
    timeoutMs: 10_000,
    what: 'the alert committed after the start',
  });
  await new Promise((r) => setTimeout(r, 300));
  return receiver.requests.map((r) => r.data.agentId).sort();
}

describe('outbox intake start', () => {
  it('a new consumer group starts at the end of the stream by default', async () => {
    expect(await run(undefined)).toEqual(['agent-new']);
  });

  it('NOTIFIER_OUTBOX_START=all replays what is still in the stream', async () => {
    expect(await run('all')).toEqual(['agent-new', 'agent-old']);
  });

  it('a replica that stops hands the outbox to another at once (it releases the intake lease)', async () => {
    const prefix = `intake-${++n}:`;
    const engine = engineSide(server.url, prefix);
    const receiver = await startTestReceiver();
    cleanups.push(
      () => engine.close(),
      () => receiver.close(),
    );
    await engine.subscriptions.create({ url: receiver.url });
    const config = (id: string) => testConfig(server.url, prefix, { LOCKSTEP_INSTANCE_ID: id });
    const a = await startNotifier(config('a'), createNotifierLogger('silent'));
    await pollUntil(() => a.intake.leading(), { timeoutMs: 10_000, what: 'a to read the outbox' });
    const b = await startNotifier(config('b'), createNotifierLogger('silent'));
    cleanups.push(() => b.close());
    await engine.waitForGroup();
    expect(b.intake.leading()).toBe(false);
    await a.close();
    const stoppedAt = Date.now();
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => receiver.requests.length === 1, { timeoutMs: 10_000, what: 'the alert through b' });
    expect(b.intake.leading()).toBe(true);
    // Without the release, b would wait for the 10 s lease TTL to run out.
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
  });

  it('skips an entry that cannot be decoded or cannot make a payload, and goes on', async () => {
    const prefix = `intake-${++n}:`;
    const engine = engineSide(server.url, prefix);
    const receiver = await startTestReceiver();
    cleanups.push(
      () => engine.close(),
      () => receiver.close(),
    );
    await engine.subscriptions.create({ url: receiver.url });
    const runtime = await startNotifier(testConfig(server.url, prefix), createNotifierLogger('silent'));
    cleanups.push(() => runtime.close());
    await engine.waitForGroup();
    const stream = createKeys(prefix).outboxStream(0);
    await engine.redis.xadd(
      stream,
      '*',
      'id',
      'agent-x:1:0',
      'agent',
      'agent-x',
      'v',
      '1',
      'at',
      '1',
      'body',
      '{not json',
    );
    await engine.emit('agent-huge', 'finding.opened', 'station-dead', { correction: 'x'.repeat(30_000) });
    await engine.emit('agent-ok', 'finding.opened');
    await pollUntil(() => receiver.requests.length === 1, { timeoutMs: 10_000, what: 'the good alert' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.map((r) => r.data.agentId)).toEqual(['agent-ok']);
    const pending = (await engine.redis.xpending(stream, 'notifier')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });
});
