import { type AgentProfileDoc, createAgentProfiles, createKeys } from '@lockstep/store';
import { pollUntil, type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDirectory } from './directory.js';
import { createNotifierLogger } from './logger.js';
import { startNotifier } from './notifier.js';
import { engineSide, startTestReceiver, testConfig } from './testing/harness.js';

let server: RedisServer;
let redis: Redis;
let n = 0;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

const profile = (
  agentId: string,
  name: string,
  queueIds: string[],
  extra: Partial<AgentProfileDoc> = {},
) => ({
  agentId,
  name,
  queueIds,
  divisionId: null,
  managementUnitId: null,
  updatedAt: 1_000,
  ...extra,
});

describe('the Redis agent directory', () => {
  it('reads the engine profile, reuses it for the TTL, then sees a change', async () => {
    const profiles = createAgentProfiles({ redis, keys: createKeys(`dir-${++n}:`) });
    let now = 0;
    let reads = 0;
    const directory = createRedisDirectory({
      profiles: {
        read: (ids) => {
          reads++;
          return profiles.read(ids);
        },
      },
      ttlMs: 5_000,
      maxEntries: 2,
      now: () => now,
    });
    await profiles.write([profile('a1', 'Ada', ['q1'], { divisionId: 'd1', managementUnitId: 'mu1' })]);
    expect(await directory.profile('a1')).toEqual({
      name: 'Ada',
      queueIds: ['q1'],
      divisionId: 'd1',
      managementUnitId: 'mu1',
    });
    expect(await directory.profile('nobody')).toEqual({
      name: null,
      queueIds: [],
      divisionId: null,
      managementUnitId: null,
    });
    expect(reads).toBe(2);

    await profiles.write([profile('a1', 'Ada King', ['q2'])]);
    now = 4_999;
    expect((await directory.profile('a1')).name).toBe('Ada');
    now = 5_000;
    expect(await directory.profile('a1')).toMatchObject({ name: 'Ada King', queueIds: ['q2'] });

    // Bounded: a third agent evicts the oldest entry; a prefetch reads the missing ones in one round-trip.
    reads = 0;
    await directory.prefetch?.(['a1', 'b', 'c']);
    expect(reads).toBe(1);
    await directory.profile('c');
    expect(reads).toBe(1);
    await directory.profile('a1');
    expect(reads).toBe(2);
  });

  it('a Redis failure rejects instead of answering an unknown agent', async () => {
    const broken = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await broken.connect();
    await broken.quit();
    const directory = createRedisDirectory({
      profiles: createAgentProfiles({ redis: broken, keys: createKeys(`dir-${++n}:`) }),
      ttlMs: 5_000,
    });
    await expect(directory.profile('a1')).rejects.toThrow();
  });
});

describe('alerts with the agent directory (real notifier, real receivers)', () => {
  it("a finding.opened carries the agent's name; a queue filter gets the agents of that queue only", async () => {
    const prefix = `dir-${++n}:`;
    const engine = engineSide(server.url, prefix);
    const everything = await startTestReceiver();
    const sales = await startTestReceiver();
    const runtime = await startNotifier(testConfig(server.url, prefix), createNotifierLogger('silent'));
    cleanups.push(
      () => engine.close(),
      () => everything.close(),
      () => sales.close(),
      () => runtime.close(),
    );
    await engine.waitForGroup();
    const profiles = createAgentProfiles({ redis, keys: createKeys(prefix) });
    await profiles.write([
      profile('agent-s', 'Sam Sales', ['q-sales'], { divisionId: 'd-emea' }),
      profile('agent-t', 'Tia Support', ['q-support'], { divisionId: 'd-emea' }),
    ]);
    const { secret } = await engine.subscriptions.create({ url: everything.url });
    const { subscription: salesSub } = await engine.subscriptions.create({
      url: sales.url,
      filters: { queueIds: ['q-sales'] },
    });

    await engine.emit('agent-t', 'finding.opened');
    await engine.emit('agent-s', 'finding.opened');
    await engine.emit('agent-u', 'finding.opened');
    await pollUntil(() => everything.requests.length >= 3, { timeoutMs: 10_000, what: 'three alerts' });
    await pollUntil(() => sales.requests.length >= 1, { timeoutMs: 10_000, what: 'the sales alert' });

    const verified = everything.requests.map((r) => {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(r.headers[h])]),
      );
      return new Webhook(secret).verify(r.body, headers) as { type: string; data: Record<string, unknown> };
    });
    const names = Object.fromEntries(verified.map((p) => [p.data.agentId, p.data.agentName]));
    expect(names).toEqual({ 'agent-t': 'Tia Support', 'agent-s': 'Sam Sales', 'agent-u': null });
    expect(verified.every((p) => p.type === 'finding.opened')).toBe(true);

    // The unfiltered receiver has all three, so the intake has fanned out all three: the filtered subscription
    // got its agent's alert, and nothing else waits in its queue.
    expect(sales.requests.map((r) => JSON.parse(r.body).data.agentId)).toEqual(['agent-s']);
    expect((await engine.deliveries.backlog(salesSub.id)).count).toBe(0);
  });
});
