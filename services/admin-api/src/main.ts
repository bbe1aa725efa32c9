/**
 * The admin API process: reads the configuration, connects Redis, listens, and closes everything on
 * SIGINT/SIGTERM: it stops listening (new connections are refused), lets requests in flight finish, then closes
 * Redis. Exit codes: 0 after a clean shutdown, 1 for a configuration or startup failure, or a shutdown that did
 * not finish within `LOCKSTEP_SHUTDOWN_TIMEOUT_MS`.
 */
import { exitOnSignal } from '@lockstep/lifecycle';
import { connectRedis } from '@lockstep/store';
import { build } from './app.js';
import { describeConfig, loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { createRootLogger } from './logger.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  const logger = createRootLogger(config.logLevel);
  const redis = connectRedis(config.redisUrls, { connectionName: 'lockstep-admin-api' });
  redis.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  let app: Awaited<ReturnType<typeof build>>;
  try {
    app = await build({ config, redis, logger });
    await app.listen({ host: config.host, port: config.port });
    logger.info({ config: describeConfig(config) }, 'admin API listening');
  } catch (err) {
    logger.fatal({ err }, 'admin API failed to start');
    redis.disconnect();
    process.exitCode = 1;
    return;
  }
  exitOnSignal({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    close: async () => {
      try {
        await app.close();
      } catch (err) {
        logger.error({ err }, 'shutdown failed');
      }
      try {
        // QUIT: Redis answers the commands already sent before it closes the connection.
        await redis.quit();
      } catch (err) {
        logger.warn({ err }, 'redis quit failed; disconnecting');
        redis.disconnect();
      }
      logger.info('admin API closed');
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`admin API crashed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
