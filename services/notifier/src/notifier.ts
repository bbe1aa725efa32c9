import { lookup as dnsLookup } from 'node:dns/promises';
import {
  connectRedis,
  createAgentProfiles,
  createIncidentStore,
  createKeys,
  createLeases,
  createOutbox,
  type RedisClient,
} from '@lockstep/store';
import {
  createDeliveryQueue,
  createSubscriptionStore,
  createWebhookKeys,
  type LookupAll,
} from '@lockstep/webhooks';
import type { Logger } from 'pino';
import type { NotifierConfig } from './config.js';
import { ensureNotifierGroup, NOTIFIER_GROUP } from './consumer-group.js';
import { type AgentDirectory, createRedisDirectory } from './directory.js';
import { createDispatcher } from './dispatcher.js';
import { createFanout } from './fanout.js';
import { createIntake, type Intake } from './intake.js';
import { createMetricsServer, type MetricsServer } from '@lockstep/metrics-server';
import { createNotifierMetrics } from './metrics.js';
import { createSender } from './sender.js';

/** A running notifier. */
export interface NotifierRuntime {
  readonly metricsServer: MetricsServer;
  readonly intake: Intake;
  /**
   * Stops intake and delivery (attempts in flight get half of `shutdownTimeoutMs` to finish; the rest stay pending
   * for another replica), then closes servers and clients. Idempotent.
   */
  close(): Promise<void>;
}

/** System DNS, every address (the SSRF guard checks them all). */
export const systemLookup: LookupAll = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Wires the notifier: Redis clients, the outbox intake (under a lease), the delivery dispatcher and the
 * metrics server. `lookup` and `directory` are injectable for tests.
 */
export async function startNotifier(
  config: NotifierConfig,
  logger: Logger,
  options: { readonly lookup?: LookupAll; readonly directory?: AgentDirectory } = {},
): Promise<NotifierRuntime> {
  const redis = connectRedis(config.redisUrls, { connectionName: `lockstep-notifier:${config.instanceId}` });
  const readRedis: RedisClient = redis.duplicate();
  for (const [name, client] of [
    ['redis', redis],
    ['redis-read', readRedis],
  ] as const) {
    client.on('error', (err: unknown) => logger.warn({ err, client: name }, 'redis connection error'));
  }
  const storeKeys = createKeys(config.keyPrefix, { outboxShards: config.outboxShards });
  const keys = createWebhookKeys(config.keyPrefix);
  const ssrf = {
    allowHttp: config.allowHttp,
    allowedCidrs: config.allowedCidrs,
    trustedHosts: config.trustedHosts,
  };
  const subscriptions = createSubscriptionStore({ redis, keys, ssrf });
  const deliveries = createDeliveryQueue({ redis, keys, logMaxLen: config.logMaxLen });
  const metrics = createNotifierMetrics(async () => {
    const subs = await subscriptions.list();
    const at = Date.now();
    return Promise.all(
      subs.map(async (s) => {
        const b = await deliveries.backlog(s.id);
        return {
          subscriptionId: s.id,
          backlog: b.count,
          oldestAgeSeconds: b.oldestAt === null ? 0 : Math.max(0, (at - b.oldestAt) / 1000),
          deadLetters: b.dead,
        };
      }),
    );
  });
  const fanout = createFanout({
    redis,
    keys,
    subscriptions,
    deliveries,
    metrics,
    maxPerMinute: config.maxPerMinute,
    now: Date.now,
  });
  const outbox = createOutbox({ redis, keys: storeKeys, group: NOTIFIER_GROUP, readRedis });
  const intake = createIntake({
    outbox,
    ensureGroup: () => ensureNotifierGroup(redis, storeKeys, config.outboxStart),
    leases: createLeases({ redis, keys: storeKeys }),
    consumer: config.instanceId,
    fanout,
    subscriptions,
    directory:
      options.directory ??
      createRedisDirectory({
        profiles: createAgentProfiles({ redis, keys: storeKeys }),
        ttlMs: config.directoryTtlMs,
      }),
    apiBaseUrl: config.apiBaseUrl,
    claimIdleMs: config.claimIdleMs,
    metrics,
    logger,
    onQueued: () => dispatcher.wake(),
    openIncidents: () => createIncidentStore({ redis, keys: storeKeys }).openIncidents(),
  });
  const sender = createSender({ timeoutMs: config.timeoutMs, userAgent: 'lockstep-notifier/0.1' });
  const dispatcher = createDispatcher({
    subscriptions,
    deliveries,
    fanout,
    sender,
    lookup: options.lookup ?? systemLookup,
    settings: { ...config, ssrf },
    metrics,
    logger,
  });
  const metricsServer = createMetricsServer({
    registry: metrics.registry,
    logger,
    host: config.metricsHost,
    port: config.metricsPort,
    health: () => ({ ok: redis.status === 'ready', redis: redis.status, readingOutbox: intake.leading() }),
  });
  await metricsServer.start();
  intake.start();
  dispatcher.start();
  logger.info(
    { instanceId: config.instanceId, retrySchedule: config.retrySchedule, allowHttp: config.allowHttp },
    'notifier started',
  );
  let closing: Promise<void> | null = null;
  return {
    metricsServer,
    intake,
    close() {
      closing ??= (async () => {
        const steps: [string, () => Promise<unknown>][] = [
          ['intake', () => intake.close()],
          ['dispatcher', () => dispatcher.close(config.shutdownTimeoutMs / 2)],
          ['sender', () => Promise.resolve(sender.close())],
          ['metrics server', () => metricsServer.close()],
          ['redis-read', () => readRedis.quit()],
          ['redis', () => redis.quit()],
        ];
        for (const [name, step] of steps) {
          try {
            await step();
          } catch (err) {
            logger.warn({ err, step: name }, 'shutdown step failed');
          }
        }
      })();
      return closing;
    },
  };
}
