import { describe, expect, it } from 'vitest';
import { renewalMargin } from './auth.js';
import { GenesysError } from './errors.js';
import { createSdkClient, parseRateLimit, retryAfterMs, toGenesysError } from './sdk-client.js';

describe('sdk-client helpers', () => {
  it('parses inin-ratelimit headers', () => {
    expect(
      parseRateLimit({
        'inin-ratelimit-count': '12',
        'inin-ratelimit-allowed': '300',
        'inin-ratelimit-reset': '41',
      }),
    ).toEqual({ count: 12, allowed: 300, resetMs: 41_000 });
    expect(parseRateLimit({ 'content-type': 'application/json' })).toBeUndefined();
  });

  it('reads Retry-After as seconds or HTTP date, else the rate-limit reset', () => {
    expect(retryAfterMs({ 'retry-after': '7' })).toBe(7_000);
    const now = Date.parse('2024-03-04T09:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Mon, 04 Mar 2024 09:00:05 GMT' }, now)).toBe(5_000);
    expect(retryAfterMs({ 'inin-ratelimit-reset': '3' })).toBe(3_000);
    expect(retryAfterMs({})).toBeUndefined();
  });

  it('maps extended SDK rejections to coded errors without request headers', () => {
    const e = toGenesysError('users.get', {
      status: 429,
      headers: { 'retry-after': '2', 'inin-correlation-id': 'corr-1' },
      body: { code: 'too.many.requests', message: 'Rate limit exceeded' },
      error: { config: { headers: { Authorization: 'Bearer secret-token' } } },
    });
    expect(e).toBeInstanceOf(GenesysError);
    expect(e).toMatchObject({
      code: 'GENESYS_RATE_LIMITED',
      details: { status: 429, apiCode: 'too.many.requests', correlationId: 'corr-1', retryAfterMs: 2_000 },
    });
    expect(JSON.stringify({ ...e, cause: e.cause })).not.toContain('secret-token');
    for (const [status, code] of [
      [400, 'GENESYS_BAD_REQUEST'],
      [401, 'GENESYS_UNAUTHORIZED'],
      [403, 'GENESYS_FORBIDDEN'],
      [404, 'GENESYS_NOT_FOUND'],
      [503, 'GENESYS_UNAVAILABLE'],
    ] as const) {
      expect(toGenesysError('op', { status, body: '' }).code).toBe(code);
    }
    const net = toGenesysError('op', {
      code: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED',
      config: { headers: {} },
    });
    expect(net.code).toBe('GENESYS_NETWORK');
    expect(toGenesysError('op', 'Missing the required parameter "userId"').code).toBe('GENESYS_BAD_REQUEST');
  });

  it('maps explicit bases onto the SDK gateway and rejects mismatched origins', () => {
    const c = createSdkClient({
      target: { apiBase: 'http://127.0.0.1:8080', loginBase: 'http://127.0.0.1:8080/login' },
    });
    expect(c.api.config.getConfUrl('api', 'https://api.mypurecloud.com')).toBe('http://127.0.0.1:8080');
    expect(c.api.config.getConfUrl('login', 'https://login.mypurecloud.com')).toBe(
      'http://127.0.0.1:8080/login',
    );
    const env = createSdkClient({ target: { environment: 'mypurecloud.ie' } });
    expect(env.apiBase).toBe('https://api.mypurecloud.ie');
    expect(() =>
      createSdkClient({ target: { apiBase: 'http://127.0.0.1:1', loginBase: 'http://127.0.0.1:2' } }),
    ).toThrow(/share one origin/);
  });

  it('renews 10 % before expiry, at most 5 minutes early', () => {
    expect(renewalMargin(86_400_000)).toBe(300_000);
    expect(renewalMargin(10_000)).toBe(1_000);
  });
});
