import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createKeys } from './keys.js';
import { parseResolvedMember, RESOLVED_RETENTION_MS, recordResolvedFindings } from './resolved-findings.js';

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

test('records the findings that closed and forgets those past the retention', async () => {
  const keys = createKeys('rf1:');
  const line = (findingId: string, ruleId = 'r') => ({ findingId, ruleId, openedAt: 10 });
  await recordResolvedFindings(redis, keys, 'a', [line('f1'), line('f2')], [line('f2')], 1_000);
  await recordResolvedFindings(redis, keys, 'a', [line('f2')], [line('f2')], 2_000);
  const t = 1_000 + RESOLVED_RETENTION_MS + 1;
  await recordResolvedFindings(redis, keys, 'b', [line('f3', 'x')], [], t);
  const flat = await redis.zrange(keys.findingsResolved(), 0, -1, 'WITHSCORES');
  expect(flat).toEqual(['b|f3|x|10', String(t)]);
  expect(parseResolvedMember(flat[0] ?? '', t)).toEqual({
    agentId: 'b',
    findingId: 'f3',
    ruleId: 'x',
    openedAt: 10,
    resolvedAt: t,
  });
  expect(parseResolvedMember('a|b', 1)).toBeUndefined();
});
