/**
 * Webhook management end to end: a subscription created through the admin API (listening on real HTTP, real
 * redis-server) and through the operator CLI, a notifier running in this process, and a plain node:http
 * receiver on 127.0.0.1 that verifies every delivery with `standardwebhooks` using the secret the API returned.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { build, createRootLogger, loadConfig } from '@lockstep/admin-api';
import { runApiCli } from '@lockstep/engine';
import {
  createNotifierLogger,
  loadNotifierConfig,
  type NotifierRuntime,
  startNotifier,
} from '@lockstep/notifier';
import { connectRedis, type RedisClient } from '@lockstep/store';
import { buildSystemAlert, createDeliveryQueue, createWebhookKeys } from '@lockstep/webhooks';
import { pollUntil, type RedisServer, startRedis } from '@lockstep/testkit';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BOOTSTRAP = 'webhook-e2e-bootstrap-admin-key-0123456789';
const PREFIX = 'whe2e:';
const SSRF_ENV = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };

interface Received {
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  readonly path: string;
}

let server: RedisServer;
let redis: RedisClient;
let api: FastifyInstance;
let apiUrl: string;
let notifier: NotifierRuntime | undefined;
let receiver: Server;
let receiverPort: number;
const received: Received[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url);
  api = await build({
    config: loadConfig({
      REDIS_URL: server.url,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP,
      ...SSRF_ENV,
    }),
    redis,
    logger: createRootLogger('silent'),
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        path: req.url ?? '',
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const raddr = receiver.address();
  receiverPort = typeof raddr === 'object' && raddr !== null ? raddr.port : 0;
  notifier = await startNotifier(
    loadNotifierConfig({
      REDIS_URL: server.url,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_INSTANCE_ID: 'whe2e-notifier',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      WEBHOOK_RETRY_SCHEDULE: '0s,200ms,500ms',
      NOTIFIER_POLL_MS: '20',
      LOG_LEVEL: 'silent',
      ...SSRF_ENV,
    }),
    createNotifierLogger('silent'),
  );
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await api?.close();
  await redis?.quit();
  await server?.stop();
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${BOOTSTRAP}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? null : JSON.parse(text)) as T };
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runApiCli(
    args,
    { LOCKSTEP_API_URL: apiUrl, LOCKSTEP_API_KEY: BOOTSTRAP },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
  );
  return { code, stdout, stderr };
}

/** The deliveries that reached `path`, verified with the given secret (throws on a forged one). */
function verifiedAt(path: string, secret: string, from = 0) {
  const wh = new Webhook(secret);
  return received
    .slice(from)
    .filter((r) => r.path === path)
    .map((r) => ({
      id: r.headers['webhook-id'],
      payload: wh.verify(r.body, {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      }) as { type: string; data: { subscriptionId: string; alertId: string } },
    }));
}

describe('webhook management end to end', () => {
  it('POST /v1/webhooks then /test: the receiver gets a webhook.test signed with the secret the API returned', async () => {
    const created = await call<{ id: string; secret: string }>('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${receiverPort}/api-hook`,
      eventTypes: ['finding.opened'],
    });
    expect(created.status).toBe(201);
    const test = await call<{ alertId: string }>('POST', `/v1/webhooks/${created.json.id}/test`);
    expect(test.status).toBe(202);
    const [delivery] = await pollUntil(
      () => {
        const got = verifiedAt('/api-hook', created.json.secret);
        return got.length > 0 ? got : undefined;
      },
      { timeoutMs: 15_000, what: 'a webhook.test at the receiver' },
    );
    expect(delivery?.id).toBe(test.json.alertId);
    expect(delivery?.payload).toMatchObject({
      type: 'webhook.test',
      data: { subscriptionId: created.json.id, alertId: test.json.alertId },
    });
    // Another secret does not verify it: the signature is the subscription's own.
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    expect(() => verifiedAt('/api-hook', other)).toThrow();
    const log = await pollUntil(
      async () => {
        const res = await call<{ deliveries: { alertId: string; status: number; outcome: string }[] }>(
          'GET',
          `/v1/webhooks/${created.json.id}/deliveries`,
        );
        return res.json.deliveries.length > 0 ? res.json.deliveries : undefined;
      },
      { timeoutMs: 5_000, what: 'the attempt in the delivery log' },
    );
    expect(log[0]).toMatchObject({ alertId: test.json.alertId, status: 204, outcome: 'delivered' });
  });

  it('the CLI registers a receiver with a known secret, tests it, rotates, lists and removes it', async () => {
    const known = `whsec_${Buffer.from('lockstep-e2e-known-webhook-secret').toString('base64')}`;
    const add = await cli([
      'webhooks',
      'add',
      '--url',
      `http://127.0.0.1:${receiverPort}/cli-hook`,
      '--secret',
      known,
      '--event-types',
      'finding.opened,finding.resolved',
      '--min-severity',
      'warning',
      '--json',
    ]);
    expect(add.code, add.stderr).toBe(0);
    const { id } = JSON.parse(add.stdout) as { id: string };
    const list = await cli(['webhooks', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+ENABLED\s+URL\s+EVENTS\s+MIN SEVERITY\s+QUEUED\s+DEAD/);
    expect(list.stdout).toMatch(
      new RegExp(
        `${id}\\s+true\\s+http://127\\.0\\.0\\.1:\\d+/cli-hook\\s+finding\\.opened,finding\\.resolved\\s+warning`,
      ),
    );
    expect(list.stdout).not.toContain(known.slice(6));
    const tested = await cli(['webhooks', 'test', id]);
    expect(tested.stdout).toMatch(/^webhook\.test queued for wh_/);
    const [first] = await pollUntil(
      () => {
        const got = verifiedAt('/cli-hook', known);
        return got.length > 0 ? got : undefined;
      },
      { timeoutMs: 15_000, what: 'the CLI test delivery' },
    );
    expect(first?.payload.type).toBe('webhook.test');

    const beforeRotation = received.length;
    const rotated = await cli(['webhooks', 'rotate', id, '--json']);
    const { secret } = JSON.parse(rotated.stdout) as { secret: string };
    expect(secret).not.toBe(known);
    await cli(['webhooks', 'test', id]);
    // During the overlap both secrets sign, so the receiver's old secret and the new one both verify it.
    const both = await pollUntil(
      () => {
        const got = verifiedAt('/cli-hook', secret, beforeRotation);
        return got.length > 0 ? got : undefined;
      },
      { timeoutMs: 15_000, what: 'the test delivery after rotation' },
    );
    expect(verifiedAt('/cli-hook', known, beforeRotation)).toHaveLength(both.length);
    expect(() => verifiedAt('/cli-hook', secret)).toThrow();
    const deliveries = await cli(['webhooks', 'deliveries', id]);
    expect(deliveries.stdout).toMatch(/webhook\.test\s+1\s+204\s+delivered/);

    expect((await cli(['dead-letters', 'list', '--webhook', id])).stdout.trim()).toMatch(/^ID\s+TYPE/);
    const removed = await cli(['webhooks', 'remove', id]);
    expect(removed.stdout).toBe(`webhook ${id} removed\n`);
    const again = await cli(['webhooks', 'remove', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('404 NOT_FOUND');
  });

  it('dead letters: the CLI lists one, replays it, and recovers the rest; each reaches the receiver signed', async () => {
    const created = await call<{ id: string; secret: string }>('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${receiverPort}/dead-hook`,
    });
    const deliveries = createDeliveryQueue({ redis, keys: createWebhookKeys(PREFIX) });
    // Held back by storm control: filed as dead letters without an attempt, as the notifier does past its cap.
    const alerts = [1, 2, 3].map((i) =>
      buildSystemAlert('webhook.test', `e2e-dead:${created.json.id}:${i}`, Date.now(), { i }),
    );
    for (const alert of alerts) await deliveries.enqueue(created.json.id, alert, 'suppressed');
    const list = await cli(['dead-letters', 'list', '--webhook', created.json.id]);
    expect(list.stdout.split('\n').filter((l) => l.startsWith(`${created.json.id}:`))).toHaveLength(3);
    expect(list.stdout).toMatch(/webhook\.test\s+-\s+\S+\s+0\s+suppressed/);
    const first = `${created.json.id}:${alerts[0]!.id}`;
    const replayed = await cli(['dead-letters', 'replay', first]);
    expect(replayed.stdout).toBe(`dead letter ${first} replayed\n`);
    await pollUntil(() => (verifiedAt('/dead-hook', created.json.secret).length === 1 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the replayed dead letter at the receiver',
    });
    expect(verifiedAt('/dead-hook', created.json.secret)[0]?.id).toBe(alerts[0]!.id);
    const recovered = await cli(['webhooks', 'recover', created.json.id, '--since', '2026-01-01T00:00:00Z']);
    expect(recovered.stdout).toBe(`2 dead letters of ${created.json.id} replayed\n`);
    const all = await pollUntil(
      () => {
        const got = verifiedAt('/dead-hook', created.json.secret);
        return got.length === 3 ? got : undefined;
      },
      { timeoutMs: 15_000, what: 'the recovered dead letters at the receiver' },
    );
    expect(new Set(all.map((d) => d.id))).toEqual(new Set(alerts.map((a) => a.id)));
    expect((await cli(['dead-letters', 'list', '--webhook', created.json.id, '--json'])).stdout).toContain(
      '"deadLetters": []',
    );
  });

  it('the CLI shows a refused URL with the reason and a bad secret without echoing it', async () => {
    const refused = await cli(['webhooks', 'add', '--url', 'http://10.0.0.7/hook']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^422 URL_REFUSED: webhook URL refused: address 10\.0\.0\.7 is in the private range/,
    );
    const bad = await cli([
      'webhooks',
      'add',
      '--url',
      'https://hooks.example.com/x',
      '--secret',
      'whsec_c2hvcnQ=',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('body/secret: must be whsec_');
    expect(bad.stderr).not.toContain('c2hvcnQ');
    expect((await cli(['webhooks', 'add'])).code).toBe(2);
    expect((await cli(['dead-letters', 'dance'])).code).toBe(2);
  });
});
