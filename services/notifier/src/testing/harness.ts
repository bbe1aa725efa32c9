import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  connectRedis,
  createAgentStore,
  createKeys,
  createOutbox,
  type FindingDoc,
  type RedisClient,
} from '@lockstep/store';
import { pollUntil } from '@lockstep/testkit';
import {
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
  type DeliveryQueue,
  type SubscriptionStore,
} from '@lockstep/webhooks';
import { loadNotifierConfig, type NotifierConfig } from '../config.js';

/** Test settings: http to loopback allowed, a compressed retry schedule, short timeouts and polls. */
export function testEnv(
  redisUrl: string,
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    LOCKSTEP_KEY_PREFIX: prefix,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_RETRY_SCHEDULE: '0s,200ms,200ms,200ms,200ms,200ms',
    WEBHOOK_RETRY_JITTER: '0',
    WEBHOOK_TIMEOUT_MS: '1000',
    NOTIFIER_POLL_MS: '20',
    NOTIFIER_CLAIM_IDLE_MS: '2500',
    LOCKSTEP_INSTANCE_ID: 'notifier-a',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export function testConfig(
  redisUrl: string,
  prefix: string,
  extra: Record<string, string> = {},
): NotifierConfig {
  return loadNotifierConfig(testEnv(redisUrl, prefix, extra));
}

/** The engine side of the outbox: commits findings through the real store and relays them. */
export interface EngineSide {
  readonly redis: RedisClient;
  readonly subscriptions: SubscriptionStore;
  readonly deliveries: DeliveryQueue;
  /** Commits one `finding.*` effect for an agent and relays it to the outbox stream. Returns the finding id. */
  emit(
    agentId: string,
    type: 'finding.opened' | 'finding.resolved',
    ruleId?: string,
    overrides?: Record<string, unknown>,
  ): Promise<string>;
  /** Waits until the notifier's consumer group exists (entries committed before it may not be read). */
  waitForGroup(): Promise<void>;
  close(): Promise<void>;
}

export function engineSide(redisUrl: string, prefix: string): EngineSide {
  const redis = connectRedis(redisUrl, { connectionName: 'test-engine-side' });
  const keys = createKeys(prefix);
  const store = createAgentStore({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'test-engine' });
  const versions = new Map<string, number>();
  const opened = new Map<string, FindingDoc>();
  let clock = Date.parse('2026-03-03T09:00:00Z');
  return {
    redis,
    subscriptions: createSubscriptionStore({
      redis,
      keys: createWebhookKeys(prefix),
      ssrf: { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] },
    }),
    deliveries: createDeliveryQueue({ redis, keys: createWebhookKeys(prefix) }),
    async emit(agentId, type, ruleId = 'station-dead', overrides = {}) {
      clock += 1_000;
      const key = `${agentId}|${ruleId}`;
      const previous = opened.get(key);
      const finding: FindingDoc =
        type === 'finding.opened' || previous === undefined
          ? {
              id: `${agentId}:${ruleId}:${clock}`,
              agentId,
              ruleId,
              severity: 'warning',
              action: 'alert',
              since: clock - 60_000,
              openedAt: clock,
              updatedAt: clock,
              summary: `${ruleId} for ${agentId}`,
              evidence: [{ name: 'presence', value: 'ON_QUEUE', at: clock - 60_000 }],
              correction: 'none',
              ...overrides,
            }
          : { ...previous, resolvedAt: clock, updatedAt: clock };
      if (type === 'finding.opened') opened.set(key, finding);
      else opened.delete(key);
      const expectedVersion = versions.get(agentId) ?? 0;
      const { version } = await store.commit({
        agentId,
        expectedVersion,
        fence: 0,
        state: 'test',
        machine: {},
        signals: {},
        findings: [...opened.entries()].filter(([k]) => k.startsWith(`${agentId}|`)).map(([, f]) => f),
        effects: [{ type, finding }],
        cause: 'event',
        detail: type,
        at: clock,
      });
      versions.set(agentId, version);
      await outbox.relay(agentId);
      return finding.id;
    },
    async waitForGroup() {
      await pollUntil(
        async () => {
          const groups = (await redis
            .call('XINFO', 'GROUPS', keys.outboxStream(0))
            .catch(() => [])) as unknown[][];
          return groups.some((g) => g.includes('notifier'));
        },
        { timeoutMs: 10_000, what: 'the notifier consumer group' },
      );
    },
    async close() {
      await redis.quit();
    },
  };
}

/** One request a test receiver got. */
export interface Received {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/**
 * What the receiver answers to the n-th request (0-based); `hang` never answers. With `after`, the answer waits for
 * that promise first, then `delayMs`.
 */
export type Behaviour = (
  n: number,
  request: Received,
) =>
  | {
      status: number;
      headers?: Record<string, string>;
      delayMs?: number;
      body?: string;
      after?: Promise<void>;
    }
  | 'hang';

/** A real HTTP receiver on loopback that records every request and tracks concurrent duplicates. */
export interface TestReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: Received[];
  /** Highest number of requests with the same webhook-id in flight at once. */
  maxConcurrentSameId(): number;
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

export async function startTestReceiver(port = 0): Promise<TestReceiver> {
  const requests: Received[] = [];
  const inFlight = new Map<string, number>();
  let maxSame = 0;
  let behaviour: Behaviour = () => ({ status: 204 });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: { type?: string; data?: Record<string, unknown> } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // recorded as is
      }
      const id = String(req.headers['webhook-id'] ?? '');
      const r: Received = {
        at: Date.now(),
        headers: req.headers,
        body,
        id,
        type: parsed.type ?? '',
        data: parsed.data ?? {},
      };
      const n = requests.length;
      requests.push(r);
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      maxSame = Math.max(maxSame, inFlight.get(id) ?? 0);
      const done = () => inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
      const answer = behaviour(n, r);
      if (answer === 'hang') {
        res.on('close', done);
        return;
      }
      void (answer.after ?? Promise.resolve()).then(() =>
        setTimeout(() => {
          done();
          res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
        }, answer.delayMs ?? 0),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    requests,
    maxConcurrentSameId: () => maxSame,
    behave(b) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A pino destination that keeps every line (to assert what was, and was not, logged). */
export function logSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
      cb();
    },
  });
  return { stream, lines };
}
