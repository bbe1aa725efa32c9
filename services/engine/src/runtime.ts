import { createChannelPool, createGenesysApi } from '@lockstep/genesys';
import { connectRedis } from '@lockstep/store';
import type { Logger } from 'pino';
import { describeConfig, type EngineConfig } from './config.js';
import { createEngine, type Engine } from './engine.js';
import { createMetricsServer, type MetricsServer } from './metrics-server.js';

/** A running engine process: every client, socket and server it created, and one way to close them all. */
export interface EngineRuntime {
  readonly engine: Engine;
  readonly metricsServer: MetricsServer;
  /** Closes the engine, then the pool, the metrics server, the Genesys client and Redis. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the clients (Redis, Genesys REST + notification pool, metrics HTTP server), wires the engine and starts
 * everything. On a startup failure whatever was created is closed before the error is rethrown. Used by
 * `main.ts` and by tests that run a whole engine in-process.
 */
export async function startEngineRuntime(config: EngineConfig, logger: Logger): Promise<EngineRuntime> {
  logger.info({ config: describeConfig(config) }, 'starting');
  const redis = connectRedis(config.redisUrls, { connectionName: `lockstep-engine:${config.instanceId}` });
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
  const engine = createEngine(config, { redis, api, pool, logger });
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
        ['engine', () => engine.close()],
        ['channel pool', () => pool.close()],
        ['metrics server', () => metricsServer.close()],
        ['genesys api', () => api.close()],
        ['redis', () => redis.quit()],
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
    await metricsServer.start();
    await api.start();
    await engine.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { engine, metricsServer, close };
}
