import { randomBytes } from 'node:crypto';

/** Random bytes in a generated secret (within the 24–64 the Standard Webhooks spec recommends). */
export const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` + base64 of `bytes` random bytes (24–64). */
export function generateSecret(bytes = SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64)
    throw new RangeError('secret size must be 24..64 bytes');
  return `whsec_${randomBytes(bytes).toString('base64')}`;
}

/** Whether `secret` is a `whsec_` secret of 24–64 bytes. */
export function isValidSecret(secret: string): boolean {
  if (!secret.startsWith('whsec_')) return false;
  const raw = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) return false;
  const n = Buffer.from(raw, 'base64').length;
  return n >= 24 && n <= 64;
}
