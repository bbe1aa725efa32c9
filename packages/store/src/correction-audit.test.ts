import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCorrectionAudit, MAX_AUDIT_DETAIL_LENGTH } from './correction-audit.js';
import { createKeys } from './keys.js';
import { createOutbox } from './outbox.js';
import { createReads } from './reads.js';

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

describe('correction audit', () => {
  test('records an attempt in the agent history and an outcome once in the outbox', async () => {
    const keys = createKeys(`ca${++n}:`);
    const audit = createCorrectionAudit({ redis, keys, historyMaxLen: 10 });
    await audit.record({
      agentId: 'a1',
      at: 1_000,
      from: 'AVAILABLE/OFF_QUEUE',
      to: 'ON_QUEUE',
      detail: { outcome: 'sent', status: 200, fence: 4 },
    });
    const [entry] = await createReads({ redis, keys }).readHistory('a1', { count: 5 });
    expect(entry).toMatchObject({
      cause: 'correction',
      version: 0,
      at: 1_000,
      from: 'AVAILABLE/OFF_QUEUE',
      to: 'ON_QUEUE',
    });
    expect(JSON.parse(entry?.detail ?? '')).toEqual({ outcome: 'sent', status: 200, fence: 4 });

    const outcome = {
      agentId: 'a1',
      id: 'a1:correction:f1:c1:applied:1',
      at: 2_000,
      body: { type: 'correction.applied' },
    };
    expect(await audit.publish(outcome)).toBe(true);
    expect(await audit.publish(outcome)).toBe(false);
    const outbox = createOutbox({ redis, keys, group: 'g' });
    await outbox.ensureGroup('all');
    const messages = await outbox.readGroup('c', 10, 0);
    expect(messages).toMatchObject([
      { id: outcome.id, agentId: 'a1', at: 2_000, effect: { type: 'correction.applied' } },
    ]);
  });

  test('cuts an oversized detail and refuses a bad agent id', async () => {
    const keys = createKeys(`ca${++n}:`);
    const audit = createCorrectionAudit({ redis, keys });
    await audit.record({ agentId: 'a2', at: 1, from: 'x', to: 'y', detail: { blob: 'z'.repeat(10_000) } });
    const [entry] = await createReads({ redis, keys }).readHistory('a2', { count: 1 });
    expect(entry?.detail.length).toBe(MAX_AUDIT_DETAIL_LENGTH);
    await expect(
      audit.record({ agentId: 'a{b}', at: 1, from: '', to: '', detail: {} }),
    ).rejects.toMatchObject({
      code: 'STORE_INVALID_INPUT',
    });
  });
});
