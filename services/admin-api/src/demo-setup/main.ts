/**
 * `demo-setup`: the one-shot set-up of `docker compose --profile demo up` (the image's `demo-setup` command).
 * Registers the demo webhook receiver with the secret it verifies with, creates a read-only API key and prints it
 * once with a ready-to-run curl line, then exits: 0 when done, 1 for a configuration problem or a failure. It
 * prints no other secret: not the receiver's secret, not the Redis URL.
 */
import { connectRedis, createKeys } from '@lockstep/store';
import { createSubscriptionStore, createWebhookKeys } from '@lockstep/webhooks';
import { createApiKeys } from '../auth/api-keys.js';
import { ConfigError } from '../errors.js';
import { type DemoSetupConfig, loadDemoSetupConfig } from './config.js';
import { runDemoSetup } from './setup.js';

const say = (line: string) => process.stdout.write(`demo-setup: ${line}\n`);

async function main(): Promise<void> {
  let config: DemoSetupConfig;
  try {
    config = loadDemoSetupConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`demo-setup: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  const { api } = config;
  const redis = connectRedis(api.redisUrls, { connectionName: 'lockstep-demo-setup' });
  // Connection errors carry the host, never the password; the set-up's own failure is reported below.
  redis.on('error', () => undefined);
  try {
    const keys = createKeys(api.keyPrefix);
    const result = await runDemoSetup(
      {
        subscriptions: createSubscriptionStore({
          redis,
          keys: createWebhookKeys(api.keyPrefix),
          ssrf: api.webhookSsrf,
        }),
        apiKeys: createApiKeys({ redis, keys, bootstrapKey: null }),
      },
      { receiverUrl: config.receiverUrl, receiverSecret: config.receiverSecret },
    );
    say(
      `webhook subscription ${result.subscriptionId} for ${config.receiverUrl}: ${result.subscription}` +
        (result.removed > 0 ? ` (${result.removed} stale removed)` : '') +
        '; the receiver verifies its signatures',
    );
    const base = config.publicApiUrl;
    const auth = `-H 'authorization: Bearer ${result.readKey}'`;
    say(
      `a read-only API key (shown once${result.revokedKeys > 0 ? '; the previous demo key is revoked' : ''}):`,
    );
    process.stdout.write(
      [
        `  curl ${auth} '${base}/v1/findings?status=open'`,
        `  curl ${auth} '${base}/v1/agents?limit=10'`,
        `  curl ${auth} '${base}/v1/agents/<agentId>/history?kind=correction'`,
        '',
      ].join('\n'),
    );
    say('alerts: docker compose logs -f webhook-receiver');
  } catch (err) {
    process.stderr.write(`demo-setup: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo-setup: crashed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
