import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** A verified alert as the receiver saw it. */
export interface ReceivedAlert {
  readonly webhookId: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A small webhook receiver: verifies Standard Webhooks signatures and hands each alert over. */
export interface Receiver {
  start(): Promise<void>;
  port(): number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** One line per alert: time, type, webhook id, agent, rule and summary when present. */
export function formatAlertLine(alert: ReceivedAlert): string {
  const d = alert.data;
  const parts = [alert.timestamp, alert.type, alert.webhookId];
  for (const key of ['agentId', 'agentName', 'ruleId', 'severity', 'subscriptionId'] as const) {
    const v = d[key];
    if (typeof v === 'string' && v !== '') parts.push(`${key}=${v}`);
  }
  if (typeof d.summary === 'string' && d.summary !== '') parts.push(JSON.stringify(d.summary));
  return parts.join(' ');
}

/**
 * Answers 204 to a request whose signature verifies with `secret` (the `standardwebhooks` library checks
 * the signature and the timestamp tolerance), 401 otherwise, 413 past 1 MiB, 405 for other methods.
 */
export function createReceiver(options: {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  readonly onAlert: (alert: ReceivedAlert) => void;
  readonly onRejected?: (reason: string) => void;
}): Receiver {
  const webhook = new Webhook(options.secret);
  let server: Server | undefined;
  return {
    async start() {
      const s = createServer((req, res) => {
        if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY_BYTES) chunks.push(c);
        });
        req.on('end', () => {
          if (size > MAX_BODY_BYTES) return void res.writeHead(413).end();
          const body = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
          try {
            const payload = webhook.verify(body, headers) as {
              type?: unknown;
              timestamp?: unknown;
              data?: unknown;
            };
            options.onAlert({
              webhookId: headers['webhook-id'] ?? '',
              type: String(payload.type),
              timestamp: String(payload.timestamp),
              data: (typeof payload.data === 'object' && payload.data !== null ? payload.data : {}) as Record<
                string,
                unknown
              >,
            });
            res.writeHead(204).end();
          } catch (err) {
            const reason = err instanceof WebhookVerificationError ? err.message : 'malformed payload';
            options.onRejected?.(reason);
            res.writeHead(401, { 'content-type': 'text/plain' }).end(`${reason}\n`);
          }
        });
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port, options.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
    },
    port() {
      const a = server?.address();
      return typeof a === 'object' && a !== null ? (a as AddressInfo).port : 0;
    },
    close() {
      const s = server;
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };
}
