import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadCliConfig, loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { inShard, parseSelector, parseShard } from './selector.js';

const BASE = {
  GENESYS_REGION: 'eu_west_1',
  GENESYS_CLIENT_ID: 'client',
  GENESYS_CLIENT_SECRET: 'super-secret-value',
  REDIS_URL: 'redis://:redis-password@127.0.0.1:6379',
  LOCKSTEP_AGENTS: 'queue:q-1',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

function policyFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-policy-'));
  const file = join(dir, 'policy.json');
  writeFileSync(file, content);
  return file;
}

describe('loadConfig', () => {
  it('fills defaults and freezes the result', () => {
    const config = loadConfig(BASE);
    expect(config.genesys.target).toEqual({ environment: 'mypurecloud.ie' });
    expect(config).toMatchObject({
      keyPrefix: 'lockstep:',
      metricsPort: 9464,
      discoveryIntervalMs: 300_000,
      safetyResyncIntervalMs: 600_000,
      rateLimitPerMinute: 300,
      maxChannels: 20,
      wfm: true,
      shard: { index: 0, count: 1 },
    });
    expect(config.selector.queues).toEqual(['q-1']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.genesys)).toBe(true);
    expect(config.policy.rules['on-queue-not-routable'].graceMs).toBe(15_000);
  });

  it('lists every problem at once, policy problems included, and never echoes secrets', () => {
    const file = policyFile(JSON.stringify({ rules: { 'stuck-not-responding': { graceMs: -1 } }, bogus: 1 }));
    const list = problems({
      GENESYS_CLIENT_SECRET: 'super-secret-value',
      REDIS_URL: 'http://:redis-password@host',
      LOCKSTEP_AGENTS: 'queue:q-1,team:x,user:',
      LOCKSTEP_POLICY_FILE: file,
      METRICS_PORT: '70000',
      LOCKSTEP_MAX_CHANNELS: '21',
      LOCKSTEP_SHARD: '3/2',
    });
    const text = list.join('\n');
    expect(text).toContain('GENESYS_CLIENT_ID');
    expect(text).toContain('GENESYS_REGION');
    expect(text).toContain('REDIS_URL');
    expect(text).toContain('LOCKSTEP_AGENTS: "team:x"');
    expect(text).toContain('LOCKSTEP_AGENTS: "user:"');
    expect(text).toContain('METRICS_PORT');
    expect(text).toContain('LOCKSTEP_MAX_CHANNELS');
    expect(text).toContain('LOCKSTEP_SHARD');
    expect(text).toContain('LOCKSTEP_POLICY_FILE: rules.stuck-not-responding.graceMs');
    expect(text).toContain('LOCKSTEP_POLICY_FILE: (root)');
    expect(list.length).toBeGreaterThanOrEqual(9);
    expect(text).not.toContain('super-secret-value');
    expect(text).not.toContain('redis-password');
  });

  it('reports cross-field problems (watchdog vs ping, unknown region) together with every other problem', () => {
    const text = problems({
      ...BASE,
      GENESYS_REGION: 'atlantis',
      METRICS_PORT: 'abc',
      LOCKSTEP_PING_INTERVAL_MS: '9000',
      LOCKSTEP_WATCHDOG_TIMEOUT_MS: '8000',
    }).join('\n');
    expect(text).toContain('METRICS_PORT');
    expect(text).toContain('GENESYS_REGION: "atlantis" is neither a known region');
    expect(text).toContain('LOCKSTEP_WATCHDOG_TIMEOUT_MS: must be greater than LOCKSTEP_PING_INTERVAL_MS');
  });

  it('takes numbers in decimal only', () => {
    for (const text of ['0x10', '0b1', '0o7', '1e3', '12.0', '1_000', '-1', '+5', '']) {
      expect(problems({ ...BASE, METRICS_PORT: text }), text).toEqual([
        'METRICS_PORT: must be a decimal integer',
      ]);
    }
    expect(loadConfig({ ...BASE, METRICS_PORT: ' 0016 ' }).metricsPort).toBe(16);
    expect(problems({ ...BASE, LOCKSTEP_LEASE_TTL_MS: '0x3e8' })).toEqual([
      'LOCKSTEP_LEASE_TTL_MS: must be a decimal integer',
    ]);
  });

  it('reports an unreadable or non-JSON policy file', () => {
    expect(problems({ ...BASE, LOCKSTEP_POLICY_FILE: '/nonexistent/policy.json' }).join()).toContain(
      'cannot read',
    );
    expect(problems({ ...BASE, LOCKSTEP_POLICY_FILE: policyFile('{nope') }).join()).toContain(
      'not valid JSON',
    );
  });

  it('reads a valid policy file', () => {
    const file = policyFile(JSON.stringify({ rules: { 'stuck-not-responding': { graceMs: 1000 } } }));
    expect(
      loadConfig({ ...BASE, LOCKSTEP_POLICY_FILE: file }).policy.rules['stuck-not-responding'].graceMs,
    ).toBe(1000);
  });

  it('takes explicit API and login bases instead of a region, not both', () => {
    const env = { ...BASE, GENESYS_REGION: undefined, GENESYS_API_BASE: 'http://127.0.0.1:8080' };
    expect(loadConfig(env).genesys.target).toEqual({ apiBase: 'http://127.0.0.1:8080' });
    expect(problems({ ...env, GENESYS_REGION: 'eu_west_1' }).join()).toContain('not both');
    expect(problems({ ...BASE, GENESYS_REGION: 'atlantis' }).join()).toContain('neither a known region');
  });

  it('describes itself without the secret or Redis credentials', () => {
    const text = JSON.stringify(describeConfig(loadConfig(BASE)));
    expect(text).not.toContain('super-secret-value');
    expect(text).not.toContain('redis-password');
    expect(text).toContain('127.0.0.1:6379');
  });

  it('CLI configuration needs only REDIS_URL', () => {
    expect(loadCliConfig({ REDIS_URL: 'redis://127.0.0.1:1' }).keyPrefix).toBe('lockstep:');
    expect(() => loadCliConfig({})).toThrow(ConfigError);
  });
});

describe('selector', () => {
  it('parses every kind, trims and de-duplicates', () => {
    expect(parseSelector(' user:u1, queue:q1 ,division:d1,mu:m1,user:u1,USER:u2')).toEqual({
      users: ['u1', 'u2'],
      queues: ['q1'],
      divisions: ['d1'],
      managementUnits: ['m1'],
    });
  });

  it('rejects bad items, listing each', () => {
    expect(() => parseSelector('queue:a b,foo,mu:{x}')).toThrow(/"queue:a b".*"foo".*"mu:\{x\}"/);
    expect(() => parseSelector(' , ')).toThrow(/no agents selected/);
  });

  it('partitions agents into shards', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `agent-${i}`);
    const shards = [0, 1, 2].map((index) => ids.filter((id) => inShard(id, { index, count: 3 })));
    expect(shards.reduce((n, s) => n + s.length, 0)).toBe(200);
    for (const s of shards) expect(s.length).toBeGreaterThan(30);
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3')).toThrow();
  });
});
