import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const BASE = {
  GENESYS_REGION: 'eu_west_1',
  GENESYS_CLIENT_ID: 'client',
  GENESYS_CLIENT_SECRET: 'super-secret-value',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LOCKSTEP_AGENTS: 'queue:q-1',
};

describe('instance id', () => {
  it('defaults to the host name, so a restarted engine is the same lease owner as before', () => {
    const expected = hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 60);
    expect(expected.length).toBeGreaterThan(0);
    expect(loadConfig(BASE).instanceId).toBe(expected);
    // Not tied to this process: a restart (another pid) gets the same id.
    expect(loadConfig(BASE).instanceId).not.toContain(String(process.pid));
  });

  it('takes LOCKSTEP_INSTANCE_ID when given', () => {
    expect(loadConfig({ ...BASE, LOCKSTEP_INSTANCE_ID: 'engine-7' }).instanceId).toBe('engine-7');
  });
});
