import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAndWait, pollUntil, type RedisServer, repoRoot, startRedis } from '@lockstep/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierLogger } from './logger.js';
import { startNotifier } from './notifier.js';
import { engineSide, startTestReceiver, testConfig, testEnv, type TestReceiver } from './testing/harness.js';

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

async function receiver(): Promise<TestReceiver> {
  const r = await startTestReceiver();
  cleanups.push(() => r.close());
  return r;
}

const attemptsOf = async (port: number) => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^lockstep_webhook_attempts_total\{outcome="[a-z]+"\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
};

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The notifier as a real process (`npm run notifier`), so it can be SIGKILLed. */
function spawnNotifier(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@lockstep/source', '--import', 'tsx', MAIN], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => killAndWait(child));
  return child;
}

describe('notifier replicas and crashes', () => {
  it('two replicas share the work: every alert delivered, none in flight twice at once, order kept per agent', async () => {
    const prefix = `rep-${++n}:`;
    const engine = engineSide(server.url, prefix);
    cleanups.push(() => engine.close());
    // Attempts never time out here (their slots are only freed by answers), so each process has at most 3 in
    // flight at any time.
    const extra = { NOTIFIER_CONCURRENCY: '3', WEBHOOK_TIMEOUT_MS: '20000', NOTIFIER_CLAIM_IDLE_MS: '30000' };
    const a = await startNotifier(
      testConfig(server.url, prefix, { ...extra, LOCKSTEP_INSTANCE_ID: 'a' }),
      createNotifierLogger('silent'),
    );
    const b = await startNotifier(
      testConfig(server.url, prefix, { ...extra, LOCKSTEP_INSTANCE_ID: 'b' }),
      createNotifierLogger('silent'),
    );
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await engine.waitForGroup();
    const r = await receiver();
    // The receiver answers nothing until a 4th attempt is in flight: one process can hold only 3, so the work
    // cannot proceed unless both replicas take part, however fast or slow either is (no race on who polls first).
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    r.behave((i) => {
      if (i === 3) release();
      return i % 7 === 3
        ? { status: 503, delayMs: 20, after: gate }
        : { status: 204, delayMs: 40, after: gate };
    });
    const { subscription } = await engine.subscriptions.create({ url: r.url });
    const agents = Array.from({ length: 12 }, (_, i) => `agent-${i}`);
    for (const agent of agents) await engine.emit(agent, 'finding.opened');
    for (const agent of agents) await engine.emit(agent, 'finding.resolved');
    await pollUntil(async () => (await engine.deliveries.backlog(subscription.id)).count === 0, {
      timeoutMs: 30_000,
      what: 'every alert delivered',
    });
    const ids = new Set(r.requests.map((x) => x.id));
    expect(ids.size).toBe(24);
    expect(r.maxConcurrentSameId()).toBe(1);
    for (const agent of agents) {
      const types = r.requests.filter((x) => x.data.agentId === agent).map((x) => x.type);
      expect(types.lastIndexOf('finding.opened')).toBeLessThan(types.indexOf('finding.resolved'));
    }
    const [byA, byB] = [await attemptsOf(a.metricsServer.port()), await attemptsOf(b.metricsServer.port())];
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(byA + byB).toBe(r.requests.length);
  });

  it('a notifier SIGKILLed mid-delivery completes the delivery after restart', async () => {
    const prefix = `kill-${++n}:`;
    const engine = engineSide(server.url, prefix);
    cleanups.push(() => engine.close());
    const r = await receiver();
    r.behave((i) => (i === 0 ? 'hang' : { status: 204 }));
    const { subscription } = await engine.subscriptions.create({ url: r.url });
    const env = testEnv(server.url, prefix, { WEBHOOK_TIMEOUT_MS: '1500', NOTIFIER_CLAIM_IDLE_MS: '2000' });
    const first = spawnNotifier(env);
    await engine.waitForGroup();
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => r.requests.length === 1, {
      timeoutMs: 20_000,
      what: 'the first attempt in flight',
    });
    await killAndWait(first, 'SIGKILL');
    expect(await engine.deliveries.get(subscription.id, r.requests[0]?.id ?? '')).toMatchObject({
      state: 'pending',
      attempts: 0,
    });
    spawnNotifier(env);
    await pollUntil(
      async () =>
        (await engine.deliveries.get(subscription.id, r.requests[0]?.id ?? ''))?.state === 'delivered',
      {
        timeoutMs: 30_000,
        what: 'the delivery completed after the restart',
      },
    );
    expect(r.requests.map((x) => x.id)).toEqual([r.requests[0]?.id, r.requests[0]?.id]);
    expect(r.requests[1]?.body).toBe(r.requests[0]?.body);
  });

  it('outbox entries a dead reader left unacknowledged are taken over (XAUTOCLAIM) and delivered', async () => {
    const prefix = `claim-${++n}:`;
    const engine = engineSide(server.url, prefix);
    cleanups.push(() => engine.close());
    const r = await receiver();
    await engine.subscriptions.create({ url: r.url });
    // A reader that dies after reading: the notifier's group, another consumer, never acked.
    const { createKeys, createOutbox } = await import('@lockstep/store');
    const outbox = createOutbox({ redis: engine.redis, keys: createKeys(prefix), group: 'notifier' });
    await outbox.ensureGroup();
    await engine.emit('agent-1', 'finding.opened');
    await engine.emit('agent-1', 'finding.resolved');
    expect(await outbox.readGroup('crashed-reader', 10, 0)).toHaveLength(2);
    const runtime = await startNotifier(
      testConfig(server.url, prefix, { NOTIFIER_CLAIM_IDLE_MS: '2000', WEBHOOK_TIMEOUT_MS: '1000' }),
      createNotifierLogger('silent'),
    );
    cleanups.push(() => runtime.close());
    await pollUntil(() => r.requests.length === 2, { timeoutMs: 15_000, what: 'both alerts delivered' });
    expect(r.requests.map((x) => x.type)).toEqual(['finding.opened', 'finding.resolved']);
  });

  it('SIGTERM lets the attempt in flight finish, records it, and exits 0', async () => {
    const prefix = `term-${++n}:`;
    const engine = engineSide(server.url, prefix);
    cleanups.push(() => engine.close());
    const r = await receiver();
    r.behave(() => ({ status: 204, delayMs: 700 }));
    const { subscription } = await engine.subscriptions.create({ url: r.url });
    const child = spawnNotifier(
      testEnv(server.url, prefix, { WEBHOOK_TIMEOUT_MS: '3000', NOTIFIER_CLAIM_IDLE_MS: '4000' }),
    );
    await engine.waitForGroup();
    await engine.emit('agent-1', 'finding.opened');
    await pollUntil(() => r.requests.length === 1, { timeoutMs: 20_000, what: 'the attempt in flight' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await engine.deliveries.get(subscription.id, r.requests[0]?.id ?? '')).toMatchObject({
      state: 'delivered',
      attempts: 1,
    });
  });
});
