import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricsServerDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Health for `GET /healthz`: `ok: false` answers 503. */
  readonly health: () => { readonly ok: boolean };
}

/**
 * `GET /metrics` (Prometheus text) and `GET /healthz` (JSON, 503 when not ok) on plain `node:http`: the operational
 * endpoint of the engine and the notifier (the admin API serves its own through Fastify).
 */
export interface MetricsServer {
  start(): Promise<void>;
  /** The bound port (after `start`). */
  port(): number;
  /** Stops listening and closes every connection (a scraper's keep-alive must not hold a shutdown). Idempotent. */
  close(): Promise<void>;
}

export function createMetricsServer(deps: MetricsServerDeps): MetricsServer {
  const log = deps.logger.child({ component: 'metrics-server' });
  let server: Server | undefined;
  let closing: Promise<void> | undefined;
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      deps.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': deps.registry.contentType }).end(text))
        .catch((err: unknown) => {
          log.error({ err }, 'collecting metrics failed');
          res.writeHead(500).end();
        });
      return;
    }
    if (path === '/healthz') {
      const health = deps.health();
      res
        .writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(health));
      return;
    }
    res.writeHead(404).end();
  };
  return {
    async start() {
      if (server) return;
      const s = createServer(handler);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(deps.port, deps.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      log.info({ port: (s.address() as AddressInfo).port }, 'metrics listening');
    },
    port() {
      const address = server?.address();
      return typeof address === 'object' && address !== null ? address.port : 0;
    },
    close() {
      const s = server;
      if (!s) return Promise.resolve();
      closing ??= new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
      return closing;
    },
  };
}
