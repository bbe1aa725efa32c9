/**
 * SIGTERM for every service, with real processes: the engine, the notifier, the admin API and the simulator each
 * stop taking work, finish or hand back what they hold (the engine's lease released rather than left to expire, a
 * delivery in flight left pending for another notifier, an API request in flight answered, WebSockets closed with
 * a close frame), and exit 0 within the bound.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createNotifierLogger,
  createReceiver,
  loadNotifierConfig,
  type ReceivedAlert,
  startNotifier,
} from '@lockstep/notifier';
import { connectRedis, createKeys, type RedisClient } from '@lockstep/store';
import {
  freePort,
  openChannels,
  pollUntil,
  type RedisServer,
  type SimProcess,
  startRedis,
  startSim,
  token,
} from '@lockstep/testkit';
import {
  buildTestAlert,
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
} from '@lockstep/webhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.js';
import { fixture } from '../support/stack.js';

/** Every service must be gone this long after SIGTERM. */
const BOUND_MS = 10_000;

let redisServer: RedisServer;
let redis: RedisClient;
let sim: SimProcess;
const processes: ServiceProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [sim, redisServer] = await Promise.all([
    startSim({ scenario: fixture('faults-world.json'), args: ['--heartbeat-ms', '300'] }),
    startRedis(),
  ]);
  redis = connectRedis(redisServer.url);
}, 60_000);

afterEach(async () => {
  for (const p of processes.splice(0)) await p.stop();
  for (const c of cleanups.splice(0)) await c();
});

afterAll(async () => {
  await redis?.quit();
  await Promise.all([sim?.stop(), redisServer?.stop()]);
});

function start(script: string, args: readonly string[], env: Record<string, string>): ServiceProcess {
  const p = startServiceProcess(script, args, env);
  processes.push(p);
  return p;
}

async function health(port: number): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Sends SIGTERM and returns how long the process took to exit, and its exit. */
async function terminate(p: ServiceProcess) {
  const sentAt = Date.now();
  p.signal('SIGTERM');
  const exit = await Promise.race([
    p.exited(),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), BOUND_MS + 5_000)),
  ]);
  if (exit === null)
    throw new Error(`still running ${BOUND_MS + 5_000} ms after SIGTERM:\n${p.output().slice(-3_000)}`);
  return { ...exit, tookMs: exit.at - sentAt };
}

/** Waits until the admin API has logged one more incoming request than it had answered. */
async function requestArrived(api: ServiceProcess): Promise<void> {
  const count = (what: RegExp) => api.output().match(what)?.length ?? 0;
  await pollUntil(() => count(/"msg":"incoming request"/g) > count(/"msg":"request completed"/g), {
    timeoutMs: 5_000,
    what: 'the request to reach the admin API',
  });
}

describe('SIGTERM', () => {
  it('the engine (client secret from a file) drains, releases its lease at once and exits 0 within the bound', async () => {
    const prefix = 'shutdown-engine:';
    const metricsPort = await freePort();
    // The client secret as a Docker secret file: the login below proves it was read.
    const secrets = mkdtempSync(join(tmpdir(), 'lockstep-shutdown-'));
    cleanups.push(async () => rmSync(secrets, { recursive: true, force: true }));
    writeFileSync(join(secrets, 'genesys_client_secret'), 'lockstep-demo-secret\n');
    const engine = start('services/engine/src/main.ts', [], {
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: '',
      GENESYS_CLIENT_SECRET_FILE: join(secrets, 'genesys_client_secret'),
      REDIS_URL: redisServer.url,
      LOCKSTEP_KEY_PREFIX: prefix,
      LOCKSTEP_AGENTS: 'division:e2e-faults-division',
      LOCKSTEP_INSTANCE_ID: 'shutdown-engine',
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
      LOCKSTEP_LEASE_TTL_MS: '60000',
      LOCKSTEP_SHUTDOWN_TIMEOUT_MS: String(BOUND_MS),
      LOG_LEVEL: 'info',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
    });
    await pollUntil(
      async () => {
        const h = await health(metricsPort);
        return h?.leader === true && typeof h.agents === 'number' && h.agents >= 10;
      },
      {
        timeoutMs: 30_000,
        what: 'the engine to lead and track the agents',
        explain: async () => engine.output().slice(-3_000),
      },
    );
    const lease = createKeys(prefix).lease('engine:shard:0');
    expect(await redis.exists(lease)).toBe(1);
    // Work in flight when the signal comes: events keep arriving.
    await sim.control('POST', '/__sim/actions', { type: 'firehose', eventsPerSecond: 200 });
    cleanups.push(() => sim.control('POST', '/__sim/actions', { type: 'firehose', eventsPerSecond: 0 }));
    await new Promise((r) => setTimeout(r, 500));

    const exit = await terminate(engine);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.tookMs).toBeLessThan(BOUND_MS);
    // Released: with a 60 s TTL, expiry cannot explain it.
    expect(await redis.exists(lease)).toBe(0);
    expect(engine.output()).toMatch(/"msg":"engine closed"/);
    expect(engine.output()).not.toMatch(/shutdown did not finish|close step failed/);
  }, 60_000);

  it('the engine (Redis password from a file) exits 1 at the bound when its shutdown hangs on a Redis that does not answer', async () => {
    // A Redis that wants a password, given to the engine as a Docker secret file: reaching the lead proves it.
    const password = 'pw-from-a-file';
    const own = await startRedis({ extraArgs: ['--requirepass', password] });
    cleanups.push(() => own.stop());
    const secrets = mkdtempSync(join(tmpdir(), 'lockstep-shutdown-'));
    cleanups.push(async () => rmSync(secrets, { recursive: true, force: true }));
    writeFileSync(join(secrets, 'redis_password'), `${password}\n`);
    const admin = connectRedis(own.url.replace('redis://', `redis://:${password}@`));
    cleanups.push(() => admin.quit());
    const metricsPort = await freePort();
    const bound = 3_000;
    const engine = start('services/engine/src/main.ts', [], {
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
      REDIS_URL: own.url,
      REDIS_PASSWORD_FILE: join(secrets, 'redis_password'),
      LOCKSTEP_KEY_PREFIX: 'shutdown-hang:',
      LOCKSTEP_AGENTS: 'division:e2e-faults-division',
      LOCKSTEP_INSTANCE_ID: 'shutdown-hang',
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
      LOCKSTEP_SHUTDOWN_TIMEOUT_MS: String(bound),
      LOG_LEVEL: 'info',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
    });
    await pollUntil(async () => (await health(metricsPort))?.leader === true, {
      timeoutMs: 30_000,
      what: 'the engine to lead',
      explain: async () => engine.output().slice(-3_000),
    });
    // Every command of every client waits: the lease release at shutdown cannot finish.
    await admin.call('CLIENT', 'PAUSE', String(bound * 4), 'ALL');

    const exit = await terminate(engine);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
    expect(exit.tookMs).toBeGreaterThanOrEqual(bound - 100);
    expect(exit.tookMs).toBeLessThan(bound + 3_000);
    expect(engine.output()).toMatch(/"msg":"shutdown did not finish in time: exiting"/);
    expect(engine.output()).not.toContain(password);
  }, 60_000);

  it('the notifier leaves a delivery it cannot finish pending; another notifier delivers it', async () => {
    const prefix = 'shutdown-notifier:';
    // A receiver that takes every request and never answers: the attempt is in flight at SIGTERM.
    const requests: IncomingMessage[] = [];
    const hanging: Server = createServer((req) => void requests.push(req));
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    cleanups.push(async () => {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    });
    const keys = createWebhookKeys(prefix);
    const subscriptions = createSubscriptionStore({
      redis,
      keys,
      ssrf: { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] },
    });
    const { subscription, secret } = await subscriptions.create({
      url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`,
    });
    const deliveries = createDeliveryQueue({ redis, keys });
    const alert = buildTestAlert(subscription.id, 'shutdown-1', Date.now());

    const metricsPort = await freePort();
    const env = {
      REDIS_URL: redisServer.url,
      LOCKSTEP_KEY_PREFIX: prefix,
      LOCKSTEP_INSTANCE_ID: 'shutdown-notifier',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      // Longer than the half of the shutdown bound an attempt in flight gets: it is abandoned, not timed out.
      WEBHOOK_TIMEOUT_MS: '3000',
      LOCKSTEP_SHUTDOWN_TIMEOUT_MS: '4000',
      NOTIFIER_POLL_MS: '50',
      LOG_LEVEL: 'info',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
    };
    const notifier = start('services/notifier/src/main.ts', [], env);
    await pollUntil(async () => (await health(metricsPort))?.ok === true, {
      timeoutMs: 30_000,
      what: 'the notifier to start',
      explain: async () => notifier.output().slice(-3_000),
    });
    expect(await deliveries.enqueue(subscription.id, alert)).toBe(true);
    await pollUntil(() => requests.length === 1, {
      timeoutMs: 10_000,
      what: 'the attempt to reach the receiver',
    });

    const exit = await terminate(notifier);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.tookMs).toBeLessThan(BOUND_MS);
    expect(notifier.output()).toMatch(/attempt abandoned at shutdown: left pending/);
    // Nothing recorded: the delivery is pending as if never tried, and no attempt is in the log.
    expect(await deliveries.get(subscription.id, alert.id)).toMatchObject({
      state: 'pending',
      lastStatus: '',
    });
    expect(await deliveries.log(subscription.id)).toEqual([]);

    // Another replica delivers it once the lane lock (2 x timeout + 1 s) has expired.
    const received: ReceivedAlert[] = [];
    const good = createReceiver({ host: '127.0.0.1', port: 0, secret, onAlert: (a) => received.push(a) });
    await good.start();
    cleanups.push(() => good.close());
    await subscriptions.update(subscription.id, { url: `http://127.0.0.1:${good.port()}/hook` });
    const other = await startNotifier(
      loadNotifierConfig({
        ...env,
        LOCKSTEP_INSTANCE_ID: 'shutdown-notifier-2',
        METRICS_PORT: '0',
        LOG_LEVEL: 'silent',
      }),
      createNotifierLogger('silent'),
    );
    cleanups.push(() => other.close());
    await pollUntil(() => received.length === 1, {
      timeoutMs: 15_000,
      what: 'the other notifier to deliver it',
    });
    expect(received[0]?.type).toBe('webhook.test');
    expect(await deliveries.get(subscription.id, alert.id)).toMatchObject({ state: 'delivered' });
  }, 60_000);

  it('the admin API stops taking requests, answers the one in flight, closes Redis and exits 0 within the bound', async () => {
    const port = await freePort();
    const key = 'lsk_shutdown_bootstrap_key_0123456789';
    const api = start('services/admin-api/src/main.ts', [], {
      REDIS_URL: redisServer.url,
      LOCKSTEP_KEY_PREFIX: 'shutdown-api:',
      ADMIN_API_HOST: '127.0.0.1',
      ADMIN_API_PORT: String(port),
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY: key,
      LOCKSTEP_SHUTDOWN_TIMEOUT_MS: String(BOUND_MS),
      LOG_LEVEL: 'info',
    });
    const get = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${key}` } });
    await pollUntil(async () => (await get('/v1/keys').catch(() => null))?.status === 200, {
      timeoutMs: 30_000,
      what: 'the admin API to answer',
      explain: async () => api.output().slice(-3_000),
    });
    const apiClients = async () =>
      ((await redis.call('CLIENT', 'LIST')) as string)
        .split('\n')
        .filter((line) => / name=lockstep-admin-api /.test(line));
    expect(await apiClients()).toHaveLength(1);

    // A request in flight at SIGTERM: Redis holds every command for a while, so it waits on its read.
    const pauseMs = 3_000;
    await redis.call('CLIENT', 'PAUSE', String(pauseMs), 'ALL');
    const pausedAt = Date.now();
    const inFlight = get('/v1/keys');
    await requestArrived(api);
    const exited = terminate(api);
    await pollUntil(() => /"msg":"shutting down"/.test(api.output()), {
      timeoutMs: 5_000,
      what: 'the admin API to start its shutdown',
    });
    // No new request is taken: the listening socket is closed.
    const newConnection = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(newConnection).toBe('ECONNREFUSED');
    expect(Date.now() - pausedAt).toBeLessThan(pauseMs);

    // The request in flight is answered once Redis answers, then the process ends.
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ keys: expect.any(Array) });
    const exit = await exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.tookMs).toBeLessThan(BOUND_MS);
    // It waited for the request in flight (Redis answered it when the pause ended).
    expect(exit.at - pausedAt).toBeGreaterThanOrEqual(pauseMs - 100);
    expect(api.output()).toMatch(/"msg":"admin API closed"/);
    expect(api.output()).not.toMatch(/shutdown did not finish|redis quit failed/);
    expect(await apiClients()).toEqual([]);
  }, 60_000);

  it('the admin API exits 1 at the bound when a request in flight waits on a Redis that does not answer', async () => {
    const port = await freePort();
    const key = 'lsk_shutdown_bootstrap_key_0123456789';
    const bound = 2_000;
    const api = start('services/admin-api/src/main.ts', [], {
      REDIS_URL: redisServer.url,
      LOCKSTEP_KEY_PREFIX: 'shutdown-api-hang:',
      ADMIN_API_HOST: '127.0.0.1',
      ADMIN_API_PORT: String(port),
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY: key,
      LOCKSTEP_SHUTDOWN_TIMEOUT_MS: String(bound),
      LOG_LEVEL: 'info',
    });
    const get = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${key}` } });
    await pollUntil(async () => (await get('/v1/keys').catch(() => null))?.status === 200, {
      timeoutMs: 30_000,
      what: 'the admin API to answer',
      explain: async () => api.output().slice(-3_000),
    });
    await redis.call('CLIENT', 'PAUSE', String(bound * 4), 'ALL');
    cleanups.push(() => redis.call('CLIENT', 'UNPAUSE'));
    const inFlight = get('/v1/keys').catch((err: unknown) => err);
    await requestArrived(api);

    const exit = await terminate(api);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
    expect(exit.tookMs).toBeGreaterThanOrEqual(bound - 100);
    expect(exit.tookMs).toBeLessThan(bound + 3_000);
    expect(api.output()).toMatch(/"msg":"shutdown did not finish in time: exiting"/);
    expect(api.output()).not.toContain(key);
    // The request never got an answer: the process ended under it.
    expect(await inFlight).toBeInstanceOf(Error);
  }, 60_000);

  it('the simulator closes its WebSockets with a close frame and exits 0 within the bound', async () => {
    const port = await freePort();
    const own = start(
      'services/genesys-sim/src/main.ts',
      [
        '--port',
        String(port),
        '--scenario',
        fixture('faults-world.json'),
        '--shutdown-timeout-ms',
        String(BOUND_MS),
      ],
      { LOG_LEVEL: 'info' },
    );
    await pollUntil(() => /listening on http/.test(own.output()), {
      timeoutMs: 30_000,
      what: 'the simulator to listen',
      explain: async () => own.output().slice(-3_000),
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const bearer = await token(baseUrl, 'lockstep-demo', 'lockstep-demo-secret');
    const [channel] = await openChannels(
      baseUrl,
      bearer,
      ['v2.users.fault-agent-01.presence'],
      () => undefined,
    );
    if (channel === undefined) throw new Error('no channel opened');
    const closed = once(channel.socket, 'close') as Promise<[number, Buffer]>;

    const exit = await terminate(own);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.tookMs).toBeLessThan(BOUND_MS);
    const [code] = await closed;
    // 1006 would mean the connection dropped without a close frame.
    expect(code).not.toBe(1006);
    expect(own.output()).toMatch(/"msg":"shutting down"/);
  }, 60_000);
});
