import { connectRedis, createCommandQueue, createKeys, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, startRedis } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCommandInbox } from './command-inbox.js';
import { createMetrics } from './metrics.js';

let server: RedisServer;
let redis: RedisClient;
beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

it('a resync command re-reads a tracked agent and leaves the other shards agents alone', async () => {
  const keys = createKeys('inbox1:');
  const reader = connectRedis(server.url);
  const queue = createCommandQueue({ redis, keys, readRedis: reader });
  const resynced: string[] = [];
  const inbox = createCommandInbox({
    queue,
    group: 'engine-shard-0',
    consumer: 'e1',
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    canAct: () => true,
    tracked: (id) => id === 'mine',
    submit: (_id, _event, done) => done(true),
    resync: (id) => resynced.push(id),
    blockMs: 50,
  });
  await inbox.start();
  await queue.send({ agentId: 'theirs', type: 'resync', body: { by: 'api:k', at: 1 } });
  await queue.send({ agentId: 'mine', type: 'resync', body: { by: 'api:k', at: 1 } });
  await pollUntil(() => resynced.length > 0, { timeoutMs: 5_000, what: 'the resync request' });
  await pollUntil(
    async () => ((await redis.xpending(keys.commandsStream(), 'engine-shard-0')) as [number])[0] === 0,
    {
      timeoutMs: 5_000,
      what: 'both commands acknowledged',
    },
  );
  expect(resynced).toEqual(['mine']);
  await inbox.close();
  reader.disconnect();
});
