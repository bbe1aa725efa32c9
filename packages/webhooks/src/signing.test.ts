import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, isValidSecret } from './secrets.js';
import { signDelivery } from './signing.js';

const body = JSON.stringify({
  type: 'finding.opened',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { a: 1 },
});
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('signDelivery', () => {
  it('produces headers the standardwebhooks library verifies, equal to HMAC-SHA256 of id.timestamp.body', () => {
    const secret = generateSecret();
    const ts = nowSeconds();
    const headers = signDelivery([secret], 'msg_1', ts, body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_1.${ts}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(headers['webhook-timestamp']).toBe(String(ts));
  });

  it('during a rotation overlap carries both signatures, and each secret verifies alone', () => {
    const [oldSecret, newSecret, stranger] = [generateSecret(), generateSecret(), generateSecret()];
    const headers = signDelivery([newSecret, oldSecret], 'msg_2', nowSeconds(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(stranger).verify(body, { ...headers })).toThrow(WebhookVerificationError);
  });

  it('a tampered body does not verify', () => {
    const secret = generateSecret();
    const headers = signDelivery([secret], 'msg_3', nowSeconds(), body);
    expect(() => new Webhook(secret).verify(body.replace('1', '2'), { ...headers })).toThrow(
      WebhookVerificationError,
    );
  });
});

describe('generateSecret', () => {
  it('makes whsec_ secrets of 24..64 random bytes', () => {
    const a = generateSecret();
    expect(isValidSecret(a)).toBe(true);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(Buffer.from(generateSecret(24).slice(6), 'base64')).toHaveLength(24);
    expect(Buffer.from(generateSecret(64).slice(6), 'base64')).toHaveLength(64);
    expect(generateSecret()).not.toBe(a);
    expect(() => generateSecret(16)).toThrow(RangeError);
    expect(isValidSecret('whsec_c2hvcnQ=')).toBe(false);
  });
});
