import { Webhook } from 'standardwebhooks';

/** The three Standard Webhooks headers of one delivery. */
export interface SignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * Signs one delivery with every given secret (the current one first, then a rotated one still inside its
 * overlap) using the `standardwebhooks` library: `webhook-signature` holds one `v1,<base64>` per secret,
 * space-separated, as the spec says. Pure apart from the HMAC.
 */
export function signDelivery(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): SignatureHeaders {
  if (secrets.length === 0) throw new RangeError('at least one secret is needed to sign');
  const at = new Date(timestampSeconds * 1000);
  const signatures = secrets.map((s) => new Webhook(s).sign(id, at, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
