import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** `GET /metrics` (Prometheus text) and `GET /healthz` (JSON, 503 when not ok) on plain `node:http`. */
export interface MetricsServer {
  start(): Promise<void>;
  /** The bound port (after `start`). */
  port(): number;
  /** Idempotent. */
  close(): Promise<void>;
}

export function createMetricsServer(deps: {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  readonly health: () => { readonly ok: boolean };
}): MetricsServer {
  const log = deps.logger.child({ component: 'metrics-server' });
  let server: Server | undefined;
  let closing: Promise<void> | undefined;
  return {
    async start() {
      const s = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
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
          const h = deps.health();
          return void res
            .writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify(h));
        }
        res.writeHead(404).end();
      });
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
      const a = server?.address();
      return typeof a === 'object' && a !== null ? a.port : 0;
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
