import { timingSafeEqual } from 'node:crypto';
import type { SubscriptionStore } from '@lockstep/webhooks';
import type { ApiKeys } from '../auth/api-keys.js';

/** Name of the read key the set-up creates; a re-run replaces the key of this name. */
export const DEMO_READ_KEY_NAME = 'compose-demo-read';
/** Description of the demo receiver's subscription. */
export const DEMO_SUBSCRIPTION_DESCRIPTION = 'compose demo: the webhook-receiver service';

export interface DemoSetupDeps {
  readonly subscriptions: SubscriptionStore;
  readonly apiKeys: ApiKeys;
}

export interface DemoSetupInput {
  readonly receiverUrl: string;
  /** The secret the receiver verifies with. */
  readonly receiverSecret: string;
}

export interface DemoSetupResult {
  readonly subscriptionId: string;
  /** `created`: no subscription to the receiver existed; `kept`: one signing with the secret did. */
  readonly subscription: 'created' | 'kept';
  /** Subscriptions to the receiver's URL removed (duplicates, or signing with another secret). */
  readonly removed: number;
  /** The new read key: shown once, stored hashed. */
  readonly readKey: string;
  /** Earlier demo read keys revoked (a re-run leaves exactly one). */
  readonly revokedKeys: number;
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Prepares a fresh compose demo. Idempotent: a re-run (a restarted container) leaves one enabled subscription of
 * the receiver's URL signing with `receiverSecret`, and one read key named `DEMO_READ_KEY_NAME` (the previous one
 * revoked, since a key is shown only once). Meant to run as one container at a time (compose's one-shot service).
 */
export async function runDemoSetup(deps: DemoSetupDeps, input: DemoSetupInput): Promise<DemoSetupResult> {
  const { subscriptions, apiKeys } = deps;
  const url = new URL(input.receiverUrl).toString();
  let kept: string | undefined;
  let removed = 0;
  for (const record of await subscriptions.listRecords()) {
    if (record.url !== url) continue;
    const current = record.secrets.find((s) => s.expiresAt === null) ?? record.secrets[0];
    if (kept === undefined && current !== undefined && sameSecret(current.secret, input.receiverSecret)) {
      kept = record.id;
      if (!record.enabled) await subscriptions.update(record.id, { enabled: true });
    } else if (await subscriptions.remove(record.id)) removed++;
  }
  const subscriptionId =
    kept ??
    (
      await subscriptions.create({
        url,
        secret: input.receiverSecret,
        description: DEMO_SUBSCRIPTION_DESCRIPTION,
      })
    ).subscription.id;

  let revokedKeys = 0;
  for (const key of await apiKeys.list()) {
    if (key.name === DEMO_READ_KEY_NAME && (await apiKeys.revoke(key.id))) revokedKeys++;
  }
  const { key: readKey } = await apiKeys.create({
    name: DEMO_READ_KEY_NAME,
    scopes: ['read'],
    createdBy: 'demo-setup',
  });
  return {
    subscriptionId,
    subscription: kept === undefined ? 'created' : 'kept',
    removed,
    readKey,
    revokedKeys,
  };
}
