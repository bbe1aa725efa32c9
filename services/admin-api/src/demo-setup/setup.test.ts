import { spawn } from 'node:child_process';
import { connectRedis, createKeys, type RedisClient } from '@lockstep/store';
import { type RedisServer, repoRoot, startRedis } from '@lockstep/testkit';
import { createSubscriptionStore, createWebhookKeys, signingSecrets } from '@lockstep/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiKeys } from '../auth/api-keys.js';
import { loadDemoSetupConfig } from './config.js';
import { DEMO_READ_KEY_NAME, runDemoSetup } from './setup.js';

const SECRET = `whsec_${Buffer.from('lockstep-demo-setup-test-secret-32b').toString('base64')}`;
const OTHER = `whsec_${Buffer.from('another-receiver-secret-of-32-bytes').toString('base64')}`;
const RECEIVER = 'http://webhook-receiver:9000/';
// The compose demo's policy: https only, no CIDR, the receiver's service name trusted.
const ssrf = { allowHttp: false, allowedCidrs: [], trustedHosts: ['webhook-receiver'] };

let server: RedisServer;
let redis: RedisClient;
beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url, { connectionName: 'demo-setup-test' });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

function deps(prefix: string) {
  const keys = createKeys(prefix);
  return {
    subscriptions: createSubscriptionStore({ redis, keys: createWebhookKeys(prefix), ssrf }),
    apiKeys: createApiKeys({ redis, keys, bootstrapKey: null, cacheMs: 0 }),
  };
}

describe('runDemoSetup', () => {
  test('registers the receiver with its secret and creates a read key; a re-run duplicates neither', async () => {
    const d = deps('demo-setup-a:');
    const first = await runDemoSetup(d, { receiverUrl: RECEIVER, receiverSecret: SECRET });
    expect(first).toMatchObject({ subscription: 'created', removed: 0, revokedKeys: 0 });
    const second = await runDemoSetup(d, { receiverUrl: RECEIVER, receiverSecret: SECRET });
    expect(second).toMatchObject({
      subscription: 'kept',
      subscriptionId: first.subscriptionId,
      removed: 0,
      revokedKeys: 1,
    });

    const records = await d.subscriptions.listRecords();
    expect(records.map((r) => [r.url, r.enabled])).toEqual([[RECEIVER, true]]);
    expect(signingSecrets(records[0]!, Date.now())).toEqual([SECRET]);

    // One demo key: the second run's, read-only; the first one no longer opens anything.
    expect((await d.apiKeys.list()).map((k) => [k.name, k.scopes])).toEqual([[DEMO_READ_KEY_NAME, ['read']]]);
    expect(await d.apiKeys.verify(second.readKey)).toMatchObject({ scopes: ['read'] });
    expect(await d.apiKeys.verify(first.readKey)).toBeNull();
  });

  test('replaces a subscription of the receiver that signs with another secret, and re-enables a disabled one', async () => {
    const d = deps('demo-setup-b:');
    const stale = await d.subscriptions.create({ url: RECEIVER, secret: OTHER });
    const result = await runDemoSetup(d, { receiverUrl: RECEIVER, receiverSecret: SECRET });
    expect(result).toMatchObject({ subscription: 'created', removed: 1 });
    expect(result.subscriptionId).not.toBe(stale.subscription.id);
    const [only, ...rest] = await d.subscriptions.listRecords();
    expect(rest).toEqual([]);
    expect(signingSecrets(only!, Date.now())).toEqual([SECRET]);

    await d.subscriptions.disable(result.subscriptionId, 'receiver answered 410 Gone');
    const again = await runDemoSetup(d, { receiverUrl: RECEIVER, receiverSecret: SECRET });
    expect(again).toMatchObject({ subscription: 'kept', subscriptionId: result.subscriptionId });
    expect((await d.subscriptions.get(result.subscriptionId)).enabled).toBe(true);
  });

  test('leaves other subscriptions alone', async () => {
    const d = deps('demo-setup-c:');
    const other = await d.subscriptions.create({ url: 'https://hooks.example.com/x' });
    await runDemoSetup(d, { receiverUrl: RECEIVER, receiverSecret: SECRET });
    expect((await d.subscriptions.list()).map((s) => s.id)).toContain(other.subscription.id);
    expect(await d.subscriptions.list()).toHaveLength(2);
  });

  test('refuses the receiver when its name is not trusted (the production default)', async () => {
    const keys = createKeys('demo-setup-d:');
    const strict = {
      subscriptions: createSubscriptionStore({
        redis,
        keys: createWebhookKeys('demo-setup-d:'),
        ssrf: { allowHttp: false, allowedCidrs: [] },
      }),
      apiKeys: createApiKeys({ redis, keys, bootstrapKey: null }),
    };
    await expect(runDemoSetup(strict, { receiverUrl: RECEIVER, receiverSecret: SECRET })).rejects.toThrow(
      /only https/,
    );
  });
});

describe('loadDemoSetupConfig', () => {
  test('lists every problem at once without echoing a secret', () => {
    expect(() =>
      loadDemoSetupConfig({
        REDIS_URL: 'http://user:hunter2@host',
        WEBHOOK_TRUSTED_HOSTS: '10.0.0.1',
        DEMO_WEBHOOK_SECRET: 'whsec_not-base64-hunter3!',
        DEMO_API_URL: 'ftp://x',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^REDIS_URL:/),
          expect.stringMatching(/^WEBHOOK_TRUSTED_HOSTS:/),
          expect.stringMatching(/^DEMO_WEBHOOK_SECRET: must be whsec_/),
          expect.stringMatching(/^DEMO_API_URL:/),
        ],
        message: expect.not.stringMatching(/hunter/),
      }),
    );
  });
});

describe('the demo-setup process', () => {
  test('prints the read key once with curl lines, and no other secret', async () => {
    const password = 'demo-setup-redis-pw-hunter4';
    await redis.config('SET', 'requirepass', password);
    try {
      const child = spawn(
        process.execPath,
        ['--conditions=@lockstep/source', '--import', 'tsx', 'services/admin-api/src/demo-setup/main.ts'],
        {
          cwd: repoRoot,
          env: {
            PATH: process.env.PATH ?? '',
            REDIS_URL: `redis://:${password}@127.0.0.1:${server.port}`,
            LOCKSTEP_KEY_PREFIX: 'demo-setup-e:',
            WEBHOOK_TRUSTED_HOSTS: 'webhook-receiver',
            DEMO_WEBHOOK_SECRET: SECRET,
            DEMO_API_URL: 'http://127.0.0.1:18088',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect({ code, out }).toMatchObject({ code: 0 });
      const keys = [...out.matchAll(/lsk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g)].map((m) => m[0]);
      expect(new Set(keys).size).toBe(1);
      expect(out).toContain(
        `curl -H 'authorization: Bearer ${keys[0]}' 'http://127.0.0.1:18088/v1/findings?status=open'`,
      );
      expect(out).toMatch(/webhook subscription wh_\S+ for http:\/\/webhook-receiver:9000\/: created/);
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(SECRET.slice('whsec_'.length));
      expect(out).not.toContain(password);
    } finally {
      await redis.config('SET', 'requirepass', '');
    }
  });
});
