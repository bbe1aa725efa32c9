import { Webhook } from 'standardwebhooks';

// Decoding a secret per delivery costs more than the HMAC of a small body: keep the signers of recent secrets.
const signers = new Map<string, Webhook>();

function signer(secret: string): Webhook {
  let wh = signers.get(secret);
  if (wh === undefined) {
    if (signers.size >= 1_000) signers.clear();
    wh = new Webhook(secret);
    signers.set(secret, wh);
  }
  return wh;
}

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
  const signatures = secrets.map((s) => signer(s).sign(id, at, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
