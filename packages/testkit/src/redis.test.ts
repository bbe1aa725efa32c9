import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RedisServer, startRedis } from './redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

test('startRedis runs a real redis-server that answers commands and stops cleanly', async () => {
  const client = new Redis(server.url);
  await client.set('k', 'v');
  expect(await client.get('k')).toBe('v');
  await client.quit();
  await server.stop();
  const probe = new Redis(server.url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => undefined); // the refused connection is the point of this check
  await expect(probe.connect()).rejects.toThrow();
  probe.disconnect();
});

test('a server started with appendOnly comes back after kill -9 on the same port with every write', async () => {
  const aof = await startRedis({ appendOnly: true });
  try {
    const client = new Redis(aof.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => undefined); // the connection drops while the server is killed
    await client.set('kept', '1');
    await aof.kill();
    await expect(client.get('kept')).rejects.toThrow();
    await aof.restart();
    const again = new Redis(aof.url);
    expect(await again.get('kept')).toBe('1');
    await again.quit();
    client.disconnect();
  } finally {
    await aof.stop();
  }
});
