import { describe, expect, it } from 'vitest';
import { loadNotifierConfig } from './config.js';
import { NotifierConfigError } from './errors.js';

describe('loadNotifierConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadNotifierConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(c).toMatchObject({
      keyPrefix: 'lockstep:',
      allowHttp: false,
      allowedCidrs: [],
      trustedHosts: [],
      retrySchedule: [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      timeoutMs: 15_000,
      disableAfterMs: 5 * 86_400_000,
      maxPerMinute: 600,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem at once, without echoing the Redis password', () => {
    const err = (() => {
      try {
        loadNotifierConfig({
          REDIS_URL: 'http://user:hunter2@host',
          WEBHOOK_RETRY_SCHEDULE: '0s,5 parsecs',
          WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32,nonsense',
          WEBHOOK_TRUSTED_HOSTS: 'webhook-receiver,10.0.0.1,bad_name',
          WEBHOOK_ALLOW_HTTP: 'yes',
          WEBHOOK_TIMEOUT_MS: '0x10',
          WEBHOOK_DISABLE_AFTER: 'forever',
          NOTIFIER_CLAIM_IDLE_MS: '1000',
        });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(NotifierConfigError);
    const problems = (err as NotifierConfigError).problems;
    const text = problems.join('\n');
    for (const name of [
      'REDIS_URL',
      'WEBHOOK_RETRY_SCHEDULE',
      'WEBHOOK_ALLOWED_CIDRS',
      'WEBHOOK_ALLOW_HTTP',
      'WEBHOOK_TIMEOUT_MS',
      'WEBHOOK_DISABLE_AFTER',
    ]) {
      expect(text).toContain(`${name}:`);
    }
    expect(text).not.toContain('hunter2');
    // Each bad trusted name is its own problem.
    expect(problems.filter((p) => p.startsWith('WEBHOOK_TRUSTED_HOSTS:'))).toEqual([
      expect.stringMatching(/"10\.0\.0\.1" is an IP address/),
      expect.stringMatching(/"bad_name" is not a host name/),
    ]);
  });

  it('reads WEBHOOK_TRUSTED_HOSTS as lower-cased host names', () => {
    const c = loadNotifierConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      WEBHOOK_TRUSTED_HOSTS: ' Webhook-Receiver , hooks.corp.internal,',
    });
    expect(c.trustedHosts).toEqual(['webhook-receiver', 'hooks.corp.internal']);
    expect(c.allowHttp).toBe(false);
  });

  it('reports the claim idle time against the timeout together with other problems', () => {
    const err = (() => {
      try {
        loadNotifierConfig({
          REDIS_URL: 'redis://h',
          NOTIFIER_CLAIM_IDLE_MS: '1000',
          WEBHOOK_RETRY_SCHEDULE: '5s',
        });
      } catch (e) {
        return e as NotifierConfigError;
      }
      return null;
    })();
    expect(err?.problems).toEqual([
      'WEBHOOK_RETRY_SCHEDULE: the first entry must be 0s (the first attempt is immediate)',
      'NOTIFIER_CLAIM_IDLE_MS: must be greater than WEBHOOK_TIMEOUT_MS',
    ]);
  });
});
