import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCommandQueue } from './commands.js';
import { InvalidInputError } from './errors.js';
import { createKeys } from './keys.js';

let server: RedisServer;
let redis: Redis;
let n = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const queue = () => createCommandQueue({ redis, keys: createKeys(`cmd${++n}:`) });

test('every consumer group sees every command once, in order, until acknowledged', async () => {
  const q = queue();
  await q.ensureGroup('shard-0');
  await q.ensureGroup('shard-1');
  await q.ensureGroup('shard-0'); // idempotent
  await q.send({ agentId: 'a1', type: 'declare', body: { presence: 'ON_QUEUE', by: 'external-wfm' } });
  await q.send({ agentId: 'a2', type: 'declare', body: { routing: 'IDLE', by: 'ops' } });

  const first = await q.read('shard-0', 'c1', 10, 0);
  expect(first.map((c) => [c.agentId, c.type, c.body])).toEqual([
    ['a1', 'declare', { presence: 'ON_QUEUE', by: 'external-wfm' }],
    ['a2', 'declare', { routing: 'IDLE', by: 'ops' }],
  ]);
  expect(await q.read('shard-0', 'c1', 10, 0)).toEqual([]);
  expect((await q.read('shard-1', 'c9', 10, 0)).map((c) => c.agentId)).toEqual(['a1', 'a2']);
  expect(
    await q.ack(
      'shard-0',
      first.map((c) => c.streamId),
    ),
  ).toBe(2);
});

test('a group created after commands were sent still reads them from the start', async () => {
  const q = queue();
  await q.send({ agentId: 'a1', type: 'declare', body: {} });
  await q.ensureGroup('late');
  expect((await q.read('late', 'c', 10, 0)).map((c) => c.agentId)).toEqual(['a1']);
});

test('bad commands are refused and unreadable entries are flagged, not thrown', async () => {
  const q = queue();
  await expect(q.send({ agentId: 'a{1}', type: 'declare', body: {} })).rejects.toBeInstanceOf(
    InvalidInputError,
  );
  await expect(q.send({ agentId: 'a1', type: 'DROP TABLE', body: {} })).rejects.toBeInstanceOf(
    InvalidInputError,
  );
  await q.ensureGroup('g');
  const keys = createKeys(`cmd${n}:`);
  await redis.xadd(keys.commandsStream(), '*', 'agent', 'a1', 'type', 'declare', 'body', '{not json');
  const [entry] = await q.read('g', 'c', 10, 0);
  expect(entry?.malformed).toBe('body is not JSON');
});

test('commands a consumer read and never acknowledged are claimed by another once idle; idle names pruned', async () => {
  const q = queue();
  await q.ensureGroup('g');
  for (const agentId of ['a1', 'a2', 'a3']) await q.send({ agentId, type: 'declare', body: {} });
  const taken = await q.read('g', 'dead-engine', 10, 0);
  expect(taken).toHaveLength(3);
  await q.ack('g', [taken[0]?.streamId ?? '']);
  // Too recent to be claimed: the reader may still be working on them.
  expect(await q.claim('g', 'leader', 60_000, 100)).toEqual([]);
  await new Promise((r) => setTimeout(r, 300));
  const claimed = await q.claim('g', 'leader', 250, 100);
  expect(claimed.map((c) => c.agentId)).toEqual(['a2', 'a3']);
  // Claimed entries now belong to the claimer, with a fresh idle time.
  expect(await q.claim('g', 'other', 250, 100)).toEqual([]);
  expect(await q.pruneConsumers('g', 'leader')).toBe(1); // dead-engine holds nothing any more
  await q.ack(
    'g',
    claimed.map((c) => c.streamId),
  );
  expect(await q.pruneConsumers('g', 'leader')).toBe(0);
});
