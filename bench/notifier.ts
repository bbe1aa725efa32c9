/**
 * Webhook delivery from one notifier process to a local receiver (a worker thread answering 204), against a real
 * `redis-server`:
 *
 *   --mode throughput  queue --alerts alerts over --agents lanes for one subscription, start the notifier, and time
 *                      until the backlog is empty: signed deliveries per second;
 *   --mode latency     commit findings through the store and relay them to the outbox at --rate per second for
 *                      --seconds; latency = receiver arrival − the finding's commit time (p50, p99, max);
 *   --mode memory      queue --alerts alerts for a receiver that refuses connections, run --seconds with a
 *                      compressed schedule, and sample the heap after GC every second (it should stay flat).
 *
 *   node --expose-gc --conditions=@lockstep/source --import tsx bench/notifier.ts --mode throughput [--alerts 20000]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createNotifierLogger, loadNotifierConfig, startNotifier } from '@lockstep/notifier';
import { connectRedis, createAgentStore, createKeys, createOutbox } from '@lockstep/store';
import { freePort, startRedis } from '@lockstep/testkit';
import {
  buildSystemAlert,
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
} from '@lockstep/webhooks';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'throughput' },
    alerts: { type: 'string', default: '20000' },
    agents: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '256' },
  },
});
const mode = values.mode;
const alerts = Number(values.alerts);
const agents = Number(values.agents);

const RECEIVER = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
let count = 0; const arrivals = [];
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    count++;
    if (workerData.latency) {
      const ts = JSON.parse(Buffer.concat(chunks).toString()).timestamp;
      arrivals.push(Date.now() - Date.parse(ts));
    }
    res.writeHead(204).end();
  });
}).listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ ready: true }));
parentPort.on('message', () => parentPort.postMessage({ count, arrivals }));
`;

async function startReceiver(port: number, latency: boolean) {
  const worker = new Worker(RECEIVER, { eval: true, workerData: { port, latency } });
  await new Promise((resolve) => worker.once('message', resolve));
  return {
    stats: () =>
      new Promise<{ count: number; arrivals: number[] }>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('stats');
      }),
    stop: () => worker.terminate(),
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const heapMiB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const server = await startRedis();
const redis = connectRedis(server.url);
const prefix = 'bench:';
const keys = createWebhookKeys(prefix);
const port = await freePort();
const receiver = mode === 'memory' ? null : await startReceiver(port, mode === 'latency');
try {
  const subscriptions = createSubscriptionStore({
    redis,
    keys,
    ssrf: { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] },
  });
  const deliveries = createDeliveryQueue({ redis, keys });
  const { subscription } = await subscriptions.create({ url: `http://127.0.0.1:${port}/hook` });
  if (mode !== 'latency') {
    for (let i = 0; i < alerts; i++) {
      const alert = buildSystemAlert('finding.opened', `bench-${i}`, Date.now(), {
        i,
        summary: 'x'.repeat(300),
      });
      await deliveries.enqueue(subscription.id, { ...alert, agentId: `agent-${i % agents}` });
    }
  }
  const config = loadNotifierConfig({
    REDIS_URL: server.url,
    LOCKSTEP_KEY_PREFIX: prefix,
    LOCKSTEP_INSTANCE_ID: 'bench',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_MAX_PER_MINUTE: '0',
    WEBHOOK_RETRY_SCHEDULE: mode === 'memory' ? `0s${',1s'.repeat(40)}` : '0s,5s,5m',
    NOTIFIER_CONCURRENCY: values.concurrency,
    NOTIFIER_POLL_MS: '20',
    LOG_LEVEL: 'warn',
  });
  const heapBefore = heapMiB();
  const started = performance.now();
  const notifier = await startNotifier(config, createNotifierLogger('warn'));
  try {
    if (mode === 'throughput') {
      for (;;) {
        if ((await deliveries.backlog(subscription.id)).count === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const seconds = (performance.now() - started) / 1000;
      const { count } = await (receiver as NonNullable<typeof receiver>).stats();
      console.log(
        JSON.stringify({
          mode,
          alerts,
          lanes: agents,
          seconds: +seconds.toFixed(2),
          deliveriesPerSecond: Math.round(count / seconds),
          received: count,
        }),
      );
    } else if (mode === 'latency') {
      const storeKeys = createKeys(prefix);
      const store = createAgentStore({ redis, keys: storeKeys });
      const outbox = createOutbox({ redis, keys: storeKeys, group: 'bench-engine' });
      await new Promise((r) => setTimeout(r, 500)); // the notifier's group exists
      const rate = Number(values.rate);
      const total = rate * Number(values.seconds);
      const versions = new Map<string, number>();
      const t0 = performance.now();
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const agentId = `agent-${i % agents}`;
        const at = Date.now();
        const finding = {
          id: `${agentId}:station-dead:${at}`,
          ruleId: 'station-dead',
          severity: 'warning',
          since: at,
          openedAt: at,
          summary: 'bench',
        };
        const { version } = await store.commit({
          agentId,
          expectedVersion: versions.get(agentId) ?? 0,
          fence: 0,
          state: 'x',
          machine: {},
          signals: {},
          findings: [finding],
          effects: [{ type: 'finding.opened', finding }],
          cause: 'event',
          detail: 'bench',
          at,
        });
        versions.set(agentId, version);
        void outbox.relay(agentId);
      }
      for (;;) {
        const { count } = await (receiver as NonNullable<typeof receiver>).stats();
        if (count >= total) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const { arrivals } = await (receiver as NonNullable<typeof receiver>).stats();
      const sorted = [...arrivals].sort((a, b) => a - b);
      console.log(
        JSON.stringify({
          mode,
          rate,
          alerts: total,
          p50Ms: pct(sorted, 50),
          p99Ms: pct(sorted, 99),
          maxMs: sorted.at(-1),
        }),
      );
    } else {
      const samples: number[] = [];
      for (let s = 0; s < Number(values.seconds); s++) {
        await new Promise((r) => setTimeout(r, 1000));
        samples.push(+heapMiB().toFixed(1));
      }
      const b = await deliveries.backlog(subscription.id);
      console.log(
        JSON.stringify({
          mode,
          queued: alerts,
          backlogAfter: b.count,
          heapBeforeMiB: +heapBefore.toFixed(1),
          heapSamplesMiB: samples,
        }),
      );
    }
  } finally {
    await notifier.close();
  }
} finally {
  await receiver?.stop();
  await redis.quit();
  await server.stop();
}
