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
