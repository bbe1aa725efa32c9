import { createChannelPool, createGenesysApi, systemClock } from '@lockstep/genesys';
import { connectRedis } from '@lockstep/store';
import type { Logger } from 'pino';
import { describeConfig, type EngineConfig, redisServers } from './config.js';
import type { CorrectionExecutor } from './corrections/executor.js';
import { createCorrections } from './corrections/create.js';
import { createEngine, type Engine } from './engine.js';
import { createMetrics } from './metrics.js';
import { createMetricsServer, type MetricsServer } from '@lockstep/metrics-server';
import { createRateLimitedLog } from './rate-limited-log.js';
import { closeRedis, probeRedis } from './redis-probe.js';

/** A running engine process: every client, socket and server it created, and one way to close them all. */
export interface EngineRuntime {
  readonly engine: Engine;
  readonly metricsServer: MetricsServer;
  /** The correction executor the engine hands its committed effects to. */
  readonly corrections: CorrectionExecutor;
  /** Closes the corrections, the engine, then the pool, the metrics server, the Genesys client and Redis. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the clients (Redis, Genesys REST + notification pool, metrics HTTP server), wires the engine and starts
 * everything. On a startup failure whatever was created is closed before the error is rethrown. Used by
 * `main.ts` and by tests that run a whole engine in-process.
 */
export async function startEngineRuntime(config: EngineConfig, logger: Logger): Promise<EngineRuntime> {
  logger.info({ config: describeConfig(config) }, 'starting');
  const redisLog = createRateLimitedLog(logger.child({ component: 'redis' }), Date.now);
  const redis = connectRedis(config.redisUrls, {
    connectionName: `lockstep-engine:${config.instanceId}`,
    // Every connection error reaches the log as one structured line (at most one per 10 s), never as a stack trace.
    onError: (err) => redisLog.warn('connection', { err }, 'redis connection error'),
  });
  const api = createGenesysApi({
    options: {
      target: config.genesys.target,
      clientId: config.genesys.clientId,
      clientSecret: config.genesys.clientSecret,
      pacing: { ratePerMinute: config.rateLimitPerMinute },
    },
    logger,
  });
  const pool = createChannelPool({
    api,
    logger,
    options: {
      maxChannels: config.maxChannels,
      pingIntervalMs: config.pingIntervalMs,
      watchdogTimeoutMs: config.watchdogTimeoutMs,
      topics: { conversationTopic: config.conversationTopic, wfm: config.wfm },
    },
  });
  const metrics = createMetrics();
  let engine: Engine | undefined;
  const corrections = createCorrections({
    config: config.corrections,
    redis,
    keyPrefix: config.keyPrefix,
    api,
    clientId: config.genesys.clientId,
    rateLimitPerMinute: config.rateLimitPerMinute,
    instanceId: config.instanceId,
    historyMaxLen: config.historyMaxLen,
    clock: systemClock,
    logger,
    metrics,
    leadership: () => engine?.leadership,
  });
  engine = createEngine(config, { redis, api, pool, logger, metrics, effects: corrections });
  const metricsServer = createMetricsServer({
    registry: engine.metrics.registry,
    logger,
    host: config.metricsHost,
    port: config.metricsPort,
    health: () => engine.health(),
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const steps: Array<[string, () => Promise<unknown> | unknown]> = [
        ['corrections', () => corrections.close()],
        ['engine', () => engine.close()],
        ['channel pool', () => pool.close()],
        ['metrics server', () => metricsServer.close()],
        ['genesys api', () => api.close()],
        ['redis', () => closeRedis(redis)],
      ];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          logger.error({ err, step: name }, 'close step failed');
        }
      }
    })();
    return closing;
  };
  try {
    // A wrong password or an unreachable Redis is fatal at start-up: fail fast with a clear message.
    await probeRedis(redis, redisServers(config.redisUrls).join(','), config.redisProbeTimeoutMs);
    await metricsServer.start();
    await api.start();
    await engine.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { engine, metricsServer, corrections, close };
}
