import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { SimConfig } from './config.js';
import { createFaultController, type FaultController } from './control/fault-controller.js';
import { registerControlRoutes } from './control/routes.js';
import { createApiApp } from './http/app.js';
import { createDownloads } from './http/downloads.js';
import { createHttpFaults } from './http/http-faults.js';
import { createRateLimiter } from './http/rate-limiter.js';
import { createRequestLog } from './http/request-log.js';
import { createSettings } from './http/settings.js';
import { createTokenStore } from './http/token-store.js';
import { createChannelRegistry } from './notifications/channel-registry.js';
import { createDeliveryFaults } from './notifications/delivery-faults.js';
import { createDispatcher } from './notifications/dispatcher.js';
import { createSocketHub } from './notifications/socket-hub.js';
import { createStats, type DeliveryStats } from './notifications/stats.js';
import type { SimWorld } from './world/contract.js';

export interface SimServerDeps {
  readonly world: SimWorld;
  readonly config: SimConfig;
  readonly logger: Logger;
  /** Real clock for token lifetimes, rate-limit windows and fault timestamps. Default `Date.now`. */
  readonly clock?: () => number;
}

export interface SimServer {
  /** The Fastify app (routes registered, not listening until `start()`). */
  readonly app: FastifyInstance;
  readonly faults: FaultController;
  readonly stats: DeliveryStats;
  /** Listens on `config.host:config.port` (0 = free port) and starts heartbeats and channel sweeps. */
  start(): Promise<{ port: number; baseUrl: string }>;
  /** Closes sockets, timers and the HTTP server; the world is left to its owner. Idempotent. */
  close(): Promise<void>;
}

/** How often expired channels are removed (their sockets closed, their topics unindexed). */
const SWEEP_MS = 250;

/**
 * Builds the simulator's transport around a world: OAuth and REST (`/api/v2`), notification channels and their
 * WebSockets, transport faults and the control API (`/__sim`). Owns everything it creates, not the world.
 */
export function createSimServer(deps: SimServerDeps): SimServer {
  const { world, config, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const rng = xoroshiro128plus(config.faultSeed);
  // An independent stream for HTTP faults, so adding one kind of fault does not shift the other's draws.
  const httpRng = rng.clone();
  httpRng.jump();
  const stats = createStats();

  const tokens = createTokenStore(world.oauthClients, clock);
  const limiter = createRateLimiter(clock);
  const settings = createSettings(config, world);
  const downloads = createDownloads(clock);
  const requestLog = createRequestLog(world);
  const httpFaults = createHttpFaults(() => uniformFloat64(httpRng));
  const registry = createChannelRegistry({
    now: () => world.now(),
    ttlMs: config.channelTtlMs,
    maxPerClient: config.maxChannelsPerClient,
  });
  const hub = createSocketHub({
    registry,
    stats,
    logger: logger.child({ component: 'sockets' }),
    heartbeatMs: config.heartbeatMs,
    socketClosingAfterMs: config.socketClosingAfterMs,
    maxBufferedBytes: config.maxSocketBufferedBytes,
  });
  const deliver = createDispatcher(registry, hub, stats);
  const deliveryFaults = createDeliveryFaults({ deliver, random: () => uniformFloat64(rng), stats });
  const faults = createFaultController({ hub, registry, tokens, deliveryFaults, httpFaults, logger, clock });

  let wsBase: string | undefined;
  const { app, ctx } = createApiApp({
    world,
    config,
    tokens,
    limiter,
    requestLog,
    settings,
    downloads,
    httpFaults,
    registry,
    logger,
    wsBase: () => wsBase,
  });
  registerControlRoutes({
    app,
    routes: ctx.routes,
    controlToken: config.controlToken,
    world,
    faults,
    registry,
    hub,
    tokens,
    deliveryFaults,
    stats,
    requestLog,
    settings,
    limiter,
  });
  app.server.on('upgrade', hub.handleUpgrade);

  const offEvent = world.onEvent((event) => {
    stats.eventsEmitted++;
    deliveryFaults.process(event);
  });
  const offFault = world.onTransportFault((fault) => {
    try {
      faults.apply(fault);
    } catch (err) {
      logger.error({ err, fault }, 'scenario fault failed');
    }
  });

  let sweepTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  return {
    app,
    faults,
    stats,
    async start() {
      await app.listen({ port: config.port, host: config.host });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const wildcard = config.host === '0.0.0.0' || config.host === '::';
      const host = wildcard ? '127.0.0.1' : config.host;
      // Bound to every interface (e.g. in a container): connectUri follows the Host header the client used.
      wsBase = wildcard ? undefined : `ws://${host}:${port}`;
      hub.start();
      sweepTimer = setInterval(() => registry.sweep(), SWEEP_MS);
      sweepTimer.unref();
      return { port, baseUrl: `http://${host}:${port}` };
    },
    close() {
      closing ??= (async () => {
        const steps: Array<() => unknown> = [
          offEvent,
          offFault,
          () => sweepTimer && clearInterval(sweepTimer),
          () => faults.close(),
          () => deliveryFaults.close(),
          () => hub.close(),
          () => app.close(),
          () => limiter.clear(),
          () => downloads.clear(),
        ];
        for (const step of steps) {
          try {
            await step();
          } catch (err) {
            logger.error({ err }, 'close step failed');
          }
        }
      })();
      return closing;
    },
  };
}
