import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNotifierConfig, loadReceiverSecret } from './config.js';
import { NotifierConfigError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lockstep-notifier-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadNotifierConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(NotifierConfigError);
    return (err as NotifierConfigError).problems;
  }
  throw new Error('expected a NotifierConfigError');
}

describe('notifier secrets from files', () => {
  it('reads REDIS_URL from REDIS_URL_FILE', () => {
    const c = loadNotifierConfig({ REDIS_URL_FILE: file('url', 'redis://:from-file@10.0.0.1:6379\n') });
    expect(c.redisUrls).toEqual(['redis://:from-file@10.0.0.1:6379']);
  });

  it('puts REDIS_PASSWORD_FILE into a URL without credentials', () => {
    const c = loadNotifierConfig({
      REDIS_URL: 'redis://redis:6379',
      REDIS_PASSWORD_FILE: file('pw', 'pw from file\n'),
    });
    expect(c.redisUrls).toEqual(['redis://:pw%20from%20file@redis:6379']);
  });

  it('lists secret-file problems together with every other problem, never showing a secret', () => {
    const list = problems({
      REDIS_URL_FILE: join(dir, 'missing'),
      REDIS_PASSWORD: 'inline-pw',
      REDIS_PASSWORD_FILE: file('pw2', 'file-pw'),
      WEBHOOK_TIMEOUT_MS: '0x10',
    });
    expect(list).toEqual([
      `REDIS_URL_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
      'REDIS_PASSWORD and REDIS_PASSWORD_FILE are both set: keep one',
      'WEBHOOK_TIMEOUT_MS: must be a decimal integer',
    ]);
    expect(list.join('\n')).not.toMatch(/inline-pw|file-pw/);
  });

  it('refuses a password given both in the URL and in REDIS_PASSWORD', () => {
    expect(problems({ REDIS_URL: 'redis://:in-url@h:1', REDIS_PASSWORD: 'separate' })).toEqual([
      'REDIS_PASSWORD: REDIS_URL item 1 already carries a password: keep one',
    ]);
  });
});

describe('webhook receiver secret', () => {
  it('comes from WEBHOOK_RECEIVER_SECRET or WEBHOOK_RECEIVER_SECRET_FILE, never both', () => {
    expect(loadReceiverSecret({ WEBHOOK_RECEIVER_SECRET: 'whsec_inline' })).toEqual({
      secret: 'whsec_inline',
      problems: [],
    });
    expect(loadReceiverSecret({ WEBHOOK_RECEIVER_SECRET_FILE: file('receiver', 'whsec_file\n') })).toEqual({
      secret: 'whsec_file',
      problems: [],
    });
    expect(
      loadReceiverSecret({
        WEBHOOK_RECEIVER_SECRET: 'whsec_inline',
        WEBHOOK_RECEIVER_SECRET_FILE: file('receiver2', 'whsec_file'),
      }).problems,
    ).toEqual(['WEBHOOK_RECEIVER_SECRET and WEBHOOK_RECEIVER_SECRET_FILE are both set: keep one']);
    expect(loadReceiverSecret({})).toEqual({ secret: undefined, problems: [] });
  });
});
