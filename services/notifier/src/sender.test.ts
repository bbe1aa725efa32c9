import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSender, EXCERPT_BYTES, MAX_RESPONSE_BYTES } from './sender.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: new URL(`http://receiver.test:${port}/hook`), address: '127.0.0.1', family: 4 as const };
}

describe('sender', () => {
  it('stops reading at 64 KB: a response that never ends past the cap still completes', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a'.repeat(MAX_RESPONSE_BYTES + 10_000)); // and never `end()`
    });
    const sender = createSender({ timeoutMs: 3_000, userAgent: 'test' });
    const result = await sender.send(target, {}, '{}');
    sender.close();
    expect(result).toMatchObject({ status: 200, error: null });
    expect(result.excerpt).toBe('a'.repeat(EXCERPT_BYTES));
    expect(result.latencyMs).toBeLessThan(2_500);
  });

  it('cuts an attempt at the timeout, body included', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200);
      res.write('slow'); // below the cap, never ends
    });
    const sender = createSender({ timeoutMs: 300, userAgent: 'test' });
    const result = await sender.send(target, {}, '{}');
    sender.close();
    expect(result).toMatchObject({ status: 0, error: 'timeout' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    expect(result.latencyMs).toBeLessThan(2_000);
  });

  it('reports the status and Retry-After of a refusal, and never follows a redirect', async () => {
    let hits = 0;
    const target = await serve((req, res) => {
      hits++;
      if (req.url === '/hook')
        res.writeHead(307, { location: '/elsewhere', 'retry-after': '7' }).end('moved');
      else res.writeHead(200).end();
    });
    const sender = createSender({ timeoutMs: 1_000, userAgent: 'test' });
    const result = await sender.send(target, { 'webhook-id': 'msg_1' }, '{}');
    sender.close();
    expect(result).toMatchObject({ status: 307, retryAfter: '7', excerpt: 'moved' });
    expect(hits).toBe(1);
  });
});
