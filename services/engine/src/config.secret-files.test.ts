import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCliConfig, loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lockstep-engine-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const BASE = {
  GENESYS_REGION: 'eu_west_1',
  GENESYS_CLIENT_ID: 'client',
  LOCKSTEP_AGENTS: 'queue:q-1',
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('engine secrets from files', () => {
  it('reads the client secret, the Redis URL and the Redis password from *_FILE variables', () => {
    const config = loadConfig({
      ...BASE,
      GENESYS_CLIENT_SECRET_FILE: file('client-secret', 'client secret from file\n'),
      REDIS_URL_FILE: file('redis-url', 'redis://10.0.0.1:6379,redis://10.0.0.2:6379\n'),
      REDIS_PASSWORD_FILE: file('redis-password', 'redis-pw\n'),
    });
    expect(config.genesys.clientSecret).toBe('client secret from file');
    expect(config.redisUrls).toEqual(['redis://:redis-pw@10.0.0.1:6379', 'redis://:redis-pw@10.0.0.2:6379']);
  });

  it('takes REDIS_PASSWORD from the environment too', () => {
    const config = loadConfig({
      ...BASE,
      GENESYS_CLIENT_SECRET: 'x',
      REDIS_URL: 'redis://redis:6379',
      REDIS_PASSWORD: 'inline',
    });
    expect(config.redisUrls).toEqual(['redis://:inline@redis:6379']);
  });

  it('lists secret-file problems with every other problem, once each, never showing a secret', () => {
    const list = problems({
      ...BASE,
      GENESYS_CLIENT_SECRET_FILE: join(dir, 'missing'),
      REDIS_URL: 'redis://:in-url-pw@h:1',
      REDIS_PASSWORD_FILE: file('pw2', 'file-pw'),
      METRICS_PORT: '0x10',
    });
    expect(list).toEqual([
      `GENESYS_CLIENT_SECRET_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
      'METRICS_PORT: must be a decimal integer',
      'REDIS_PASSWORD: REDIS_URL item 1 already carries a password: keep one',
    ]);
    expect(list.join('\n')).not.toMatch(/in-url-pw|file-pw/);
  });

  it('refuses a secret given both inline and as a file', () => {
    expect(
      problems({
        ...BASE,
        GENESYS_CLIENT_SECRET: 'inline-secret',
        GENESYS_CLIENT_SECRET_FILE: file('cs', 'file-secret'),
        REDIS_URL: 'redis://h:1',
      }),
    ).toEqual(['GENESYS_CLIENT_SECRET and GENESYS_CLIENT_SECRET_FILE are both set: keep one']);
  });

  it('the CLI reads REDIS_URL_FILE and REDIS_PASSWORD_FILE as well', () => {
    const cli = loadCliConfig({
      REDIS_URL_FILE: file('cli-url', 'redis://h:7\n'),
      REDIS_PASSWORD_FILE: file('cli-pw', 'cli-pw\n'),
    });
    expect(cli.redisUrls).toEqual(['redis://:cli-pw@h:7']);
    expect(() => loadCliConfig({ REDIS_URL_FILE: join(dir, 'nope') })).toThrow(/REDIS_URL_FILE: cannot read/);
  });
});
