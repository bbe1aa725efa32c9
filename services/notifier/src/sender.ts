import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { CheckedTarget } from '@lockstep/webhooks';

/** Response bytes read at most; the rest is dropped with the connection. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Response bytes kept in the delivery log. */
export const EXCERPT_BYTES = 1024;

/** What one HTTP attempt gave. `status` 0: no response (`error` says why). */
export interface SendResult {
  readonly status: number;
  readonly error: string | null;
  readonly latencyMs: number;
  readonly excerpt: string;
  readonly retryAfter: string | undefined;
}

/** Sends signed webhook requests; owns its keep-alive agents. */
export interface Sender {
  send(target: CheckedTarget, headers: Readonly<Record<string, string>>, body: string): Promise<SendResult>;
  close(): void;
}

/**
 * POSTs to the checked address only: the socket's DNS lookup is replaced by one that answers with the address
 * the SSRF guard accepted, so a DNS answer that changes after the check cannot redirect the connection (TLS
 * still verifies the URL's host name). Redirects are never followed (node:http does not follow them). The
 * whole attempt, body included, is bounded by `timeoutMs`.
 */
export function createSender(options: { readonly timeoutMs: number; readonly userAgent: string }): Sender {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  return {
    send(target, headers, body) {
      const started = performance.now();
      const isHttps = target.url.protocol === 'https:';
      const pinned = (
        _host: string,
        opts: { all?: boolean },
        cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
      ) => {
        if (opts.all === true) cb(null, [{ address: target.address, family: target.family }]);
        else cb(null, target.address, target.family);
      };
      return new Promise<SendResult>((resolve) => {
        let done = false;
        const finish = (r: Omit<SendResult, 'latencyMs'>) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ ...r, latencyMs: Math.round(performance.now() - started) });
        };
        const request = (isHttps ? https : http).request(target.url, {
          method: 'POST',
          agent: isHttps ? agents['https:'] : agents['http:'],
          lookup: pinned as never,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': options.userAgent,
          },
        });
        const timer = setTimeout(() => {
          request.destroy();
          finish({ status: 0, error: 'timeout', excerpt: '', retryAfter: undefined });
        }, options.timeoutMs);
        request.on('error', (err: NodeJS.ErrnoException) => {
          finish({
            status: 0,
            error: err.code ?? err.message.slice(0, 200),
            excerpt: '',
            retryAfter: undefined,
          });
        });
        request.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const complete = () => {
            const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
            const retryAfter = res.headers['retry-after'];
            finish({ status: res.statusCode ?? 0, error: null, excerpt, retryAfter });
          };
          res.on('data', (chunk: Buffer) => {
            if (size >= MAX_RESPONSE_BYTES) return;
            chunks.push(chunk);
            size += chunk.length;
            if (size >= MAX_RESPONSE_BYTES) {
              // Enough read: drop the rest with the connection.
              res.destroy();
              complete();
            }
          });
          res.on('end', complete);
          res.on('error', complete);
          res.on('close', complete);
        });
        request.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
