import { connectRedis, type RedisClient } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookInputError, WebhookNotFoundError } from './errors.js';
import { type Alert, buildSystemAlert } from './alert.js';
import { createDeliveryQueue } from './deliveries.js';
import { createWebhookKeys } from './keys.js';
import { createSubscriptionStore, signingSecrets } from './subscriptions.js';

let server: RedisServer;
let redis: RedisClient;
const clock = 1_000_000;
let n = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url, { connectionName: 'subscriptions-test' });
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

function store() {
  return createSubscriptionStore({
    redis,
    keys: createWebhookKeys(`subs-${++n}:`),
    ssrf: { allowHttp: false, allowedCidrs: [] },
    now: () => clock,
  });
}

describe('subscription store', () => {
  it('creates, reads, lists, updates and deletes; the secret is shown only at creation', async () => {
    const s = store();
    const { subscription, secret } = await s.create({
      url: 'https://hooks.example.com/a',
      eventTypes: ['finding.opened', 'finding.resolved'],
      minSeverity: 'warning',
      filters: { queueIds: ['q1', 'q1'] },
      description: 'on-call',
    });
    expect(secret).toMatch(/^whsec_/);
    expect(subscription).toMatchObject({
      url: 'https://hooks.example.com/a',
      enabled: true,
      minSeverity: 'warning',
      filters: { queueIds: ['q1'], ruleIds: [] },
    });
    expect(JSON.stringify(await s.get(subscription.id))).not.toContain(secret.slice(6));
    expect((await s.list()).map((x) => x.id)).toEqual([subscription.id]);
    const updated = await s.update(subscription.id, { enabled: false, description: 'paused' });
    expect(updated).toMatchObject({
      enabled: false,
      description: 'paused',
      url: 'https://hooks.example.com/a',
    });
    expect(await s.remove(subscription.id)).toBe(true);
    expect(await s.remove(subscription.id)).toBe(false);
    await expect(s.get(subscription.id)).rejects.toThrow(WebhookNotFoundError);
  });

  it('takes a caller-provided whsec_ secret of 24-64 bytes, refuses any other without echoing it', async () => {
    const s = store();
    const known = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const { subscription, secret } = await s.create({ url: 'https://hooks.example.com/k', secret: known });
    expect(secret).toBe(known);
    expect(signingSecrets((await s.getRecord(subscription.id))!, clock)).toEqual([known]);
    for (const bad of [
      `whsec_${Buffer.alloc(23, 1).toString('base64')}`,
      `whsec_${Buffer.alloc(65, 1).toString('base64')}`,
      `wh_${Buffer.alloc(32, 1).toString('base64')}`,
      'whsec_not base64!!',
    ]) {
      const err = await s
        .create({ url: 'https://hooks.example.com/k', secret: bad })
        .catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(WebhookInputError);
      expect((err as WebhookInputError).problems.join('\n')).toMatch(/^secret: must be whsec_/);
      expect((err as Error).message).not.toContain(bad);
    }
    await expect(s.update(subscription.id, { secret: known } as never)).rejects.toThrow(/secret/);
    expect((await s.list()).length).toBe(1);
  });

  it('lists every problem of a bad input at once and writes nothing', async () => {
    const s = store();
    const err = await s
      .create({
        url: 'https://10.0.0.1/x',
        eventTypes: ['nope' as 'finding.opened'],
        minSeverity: 'loud' as 'info',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookInputError);
    const problems = (err as WebhookInputError).problems.join('\n');
    expect(problems).toMatch(/eventTypes/);
    expect(problems).toMatch(/minSeverity/);
    await expect(s.create({ url: 'https://10.0.0.1/x' })).rejects.toThrow(/private/);
    expect(await s.list()).toEqual([]);
  });

  it('rotation keeps the old secret signing for the overlap (24 h by default), then only the new one', async () => {
    const s = store();
    const { subscription, secret: first } = await s.create({ url: 'https://hooks.example.com/r' });
    const { secret: second, previousExpiresAt } = await s.rotateSecret(subscription.id);
    expect(previousExpiresAt).toBe(clock + 24 * 3_600_000);
    const record = await s.getRecord(subscription.id);
    if (record === null) throw new Error('record missing');
    expect(signingSecrets(record, clock)).toEqual([second, first]);
    expect(signingSecrets(record, previousExpiresAt)).toEqual([second]);
    expect((await s.get(subscription.id)).previousSecretExpiresAt).toBe(previousExpiresAt);
  });

  it('disable records the reason once; re-enabling clears it', async () => {
    const s = store();
    const { subscription } = await s.create({ url: 'https://hooks.example.com/d' });
    expect(await s.disable(subscription.id, 'receiver answered 410 Gone')).toBe(true);
    expect(await s.disable(subscription.id, 'again')).toBe(false);
    expect(await s.get(subscription.id)).toMatchObject({
      enabled: false,
      disabledReason: 'receiver answered 410 Gone',
    });
    expect(await s.update(subscription.id, { enabled: true })).toMatchObject({
      enabled: true,
      disabledReason: null,
    });
  });

  it('remove deletes the queues, dead letters and log of the subscription', async () => {
    const prefix = `subs-${++n}:`;
    const keys = createWebhookKeys(prefix);
    const s = createSubscriptionStore({
      redis,
      keys,
      ssrf: { allowHttp: false, allowedCidrs: [] },
      now: () => clock,
    });
    const q = createDeliveryQueue({ redis, keys, now: () => clock });
    const { subscription } = await s.create({ url: 'https://hooks.example.com/x' });
    const alert = (k: string): Alert => ({ ...buildSystemAlert('finding.opened', k, clock, {}), agentId: k });
    await q.enqueue(subscription.id, alert('a'));
    await q.enqueue(subscription.id, alert('b'), 'suppressed');
    const other = await s.create({ url: 'https://hooks.example.com/y' });
    await q.enqueue(other.subscription.id, alert('a'));
    expect((await redis.keys(`${prefix}{wh:${subscription.id}}*`)).length).toBeGreaterThan(3);
    expect(await s.remove(subscription.id)).toBe(true);
    expect(await redis.keys(`${prefix}{wh:${subscription.id}}*`)).toEqual([]);
    expect((await q.backlog(other.subscription.id)).count).toBe(1);
  });

  it('any create or update body gives a subscription or a WebhookInputError, never another error', async () => {
    const s = store();
    const { subscription } = await s.create({ url: 'https://hooks.example.com/f' });
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          url: fc.oneof(fc.webUrl(), fc.string()),
          eventTypes: fc.array(fc.constantFrom('finding.opened', 'nope', 3)),
          minSeverity: fc.constantFrom('info', 'critical', 'loud', null, 7),
          filters: fc.anything(),
          description: fc.string({ maxLength: 600 }),
          enabled: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        for (const call of [
          () => s.create(input as never),
          () => s.update(subscription.id, input as never),
        ]) {
          try {
            await call();
          } catch (err) {
            expect(err).toBeInstanceOf(WebhookInputError);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
