import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeConfig, loadConfig } from './config.js';
import { ConfigError } from './errors.js';

describe('loadConfig', () => {
  test('defaults: 127.0.0.1:8088, prefix lockstep:, no bootstrap key; the object is frozen', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8088,
      keyPrefix: 'lockstep:',
      bootstrapAdminKey: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('lists every problem at once and never echoes a secret', () => {
    let error: unknown;
    try {
      loadConfig({
        REDIS_URL: 'http://user:hunter2-secret@host',
        ADMIN_API_PORT: '0x10',
        LOCKSTEP_KEY_PREFIX: 'a b',
        LOCKSTEP_BOOTSTRAP_ADMIN_KEY: 'short-secret-value',
        LOG_LEVEL: 'loud',
        WEBHOOK_ALLOW_HTTP: 'yes',
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32, 10.0.0.0/99',
        WEBHOOK_TRUSTED_HOSTS: 'webhook-receiver, 127.0.0.1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(
      [
        'ADMIN_API_PORT',
        'LOCKSTEP_BOOTSTRAP_ADMIN_KEY',
        'LOCKSTEP_KEY_PREFIX',
        'LOG_LEVEL',
        'REDIS_URL',
        'WEBHOOK_ALLOW_HTTP',
        'WEBHOOK_ALLOWED_CIDRS',
        'WEBHOOK_TRUSTED_HOSTS',
      ].sort(),
    );
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('short-secret-value');
  });

  test('webhook SSRF policy: https only and no exemption by default; WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOWED_CIDRS and WEBHOOK_TRUSTED_HOSTS as the notifier reads them', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).webhookSsrf).toEqual({
      allowHttp: false,
      allowedCidrs: [],
      trustedHosts: [],
    });
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: ' 127.0.0.1/32 ,10.20.0.0/16,',
      WEBHOOK_TRUSTED_HOSTS: 'Webhook-Receiver,',
    });
    expect(config.webhookSsrf).toEqual({
      allowHttp: true,
      allowedCidrs: ['127.0.0.1/32', '10.20.0.0/16'],
      trustedHosts: ['webhook-receiver'],
    });
  });

  test('the bootstrap key and the Redis URL may come from files (Docker secrets); both ways at once is a problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-api-config-'));
    const keyFile = join(dir, 'bootstrap-key');
    writeFileSync(keyFile, 'lsk_from_a_docker_secret_file_0123456789\n');
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY_FILE: keyFile,
    });
    expect(config.bootstrapAdminKey).toBe('lsk_from_a_docker_secret_file_0123456789');

    let error: unknown;
    try {
      loadConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        LOCKSTEP_BOOTSTRAP_ADMIN_KEY: 'lsk_inline_key_0123456789abcdef',
        LOCKSTEP_BOOTSTRAP_ADMIN_KEY_FILE: keyFile,
        ADMIN_API_PORT: 'eighty',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain(
      'LOCKSTEP_BOOTSTRAP_ADMIN_KEY and LOCKSTEP_BOOTSTRAP_ADMIN_KEY_FILE are both set: keep one',
    );
    expect(problems.some((p) => p.startsWith('ADMIN_API_PORT'))).toBe(true);
    expect(problems.join('\n')).not.toContain('lsk_');
  });

  test('describeConfig leaves out the bootstrap key and Redis credentials', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://:pw-123@127.0.0.1:6379',
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY: 'a-bootstrap-key-of-enough-length',
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain('pw-123');
    expect(text).not.toContain('a-bootstrap-key-of-enough-length');
    expect(text).toContain('"bootstrapAdminKey":"set"');
  });
});
