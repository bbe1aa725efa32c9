import {
  createNotifierLogger,
  createReceiver,
  loadNotifierConfig,
  type NotifierRuntime,
  type ReceivedAlert,
  startNotifier,
} from '@lockstep/notifier';
import { createKeys } from '@lockstep/store';
import { pollUntil } from '@lockstep/testkit';
import {
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
  type SubscriptionStore,
} from '@lockstep/webhooks';
import type { Stack } from './stack.js';

const PREFIX = 'e2e:';

/**
 * Starts a notifier (in this process) on the stack's Redis, http to loopback allowed and a compressed retry
 * schedule, and waits for its consumer group: a group reads only what comes after it, so alerts of what the test
 * does next are not missed.
 */
export async function startStackNotifier(stack: Stack): Promise<NotifierRuntime> {
  const notifier = await startNotifier(
    loadNotifierConfig({
      REDIS_URL: stack.redisServer.url,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_INSTANCE_ID: 'e2e-notifier',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: '0s,200ms,500ms,1s',
      NOTIFIER_POLL_MS: '20',
      LOG_LEVEL: 'silent',
    }),
    createNotifierLogger('silent'),
  );
  const stream = createKeys(PREFIX).outboxStream(0);
  await pollUntil(
    async () => {
      const groups = (await stack.redis.call('XINFO', 'GROUPS', stream).catch(() => [])) as unknown[][];
      return groups.some((g) => g.includes('notifier'));
    },
    { timeoutMs: 10_000, what: 'the notifier consumer group' },
  );
  return notifier;
}

/** A real receiver subscribed to the stack's alerts: what it verified, what it refused. */
export interface SubscribedReceiver {
  readonly alerts: ReceivedAlert[];
  readonly rejected: string[];
  /** Alerts queued for the subscription and not delivered yet. */
  queued(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Subscribes a real receiver (verifying signatures with `standardwebhooks`) with these filters. The subscription
 * is created first (the receiver needs the secret creation returns), then pointed at the receiver.
 */
export async function subscribeReceiver(
  stack: Stack,
  filters: Parameters<SubscriptionStore['create']>[0]['filters'] = {},
): Promise<SubscribedReceiver> {
  const subscriptions = createSubscriptionStore({
    redis: stack.redis,
    keys: createWebhookKeys(PREFIX),
    ssrf: { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] },
  });
  const created = await subscriptions.create({ url: 'http://127.0.0.1:9/hook', filters });
  const alerts: ReceivedAlert[] = [];
  const rejected: string[] = [];
  const receiver = createReceiver({
    host: '127.0.0.1',
    port: 0,
    secret: created.secret,
    onAlert: (a) => alerts.push(a),
    onRejected: (reason) => rejected.push(reason),
  });
  await receiver.start();
  await subscriptions.update(created.subscription.id, { url: `http://127.0.0.1:${receiver.port()}/hook` });
  const deliveries = createDeliveryQueue({ redis: stack.redis, keys: createWebhookKeys(PREFIX) });
  return {
    alerts,
    rejected,
    queued: async () => (await deliveries.backlog(created.subscription.id)).count,
    close: () => receiver.close(),
  };
}
