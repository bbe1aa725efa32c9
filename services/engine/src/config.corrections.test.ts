import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const BASE = {
  GENESYS_REGION: 'eu_west_1',
  GENESYS_CLIENT_ID: 'client',
  GENESYS_CLIENT_SECRET: 'super-secret-value',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LOCKSTEP_AGENTS: 'queue:q-1',
};

describe('correction settings', () => {
  it('default to a dry run on half the rate limit', () => {
    expect(loadConfig(BASE).corrections).toEqual({
      mode: 'dry-run',
      budgetShare: 0.5,
      confirmTimeoutMs: 10_000,
      maxSends: 3,
      deferMaxMs: 900_000,
      bulkMax: 50,
      eventConfirmMs: 2_000,
    });
    expect(
      loadConfig({ ...BASE, LOCKSTEP_CORRECTIONS: 'apply', LOCKSTEP_CORRECTIONS_BUDGET_PERCENT: '30' })
        .corrections,
    ).toMatchObject({ mode: 'apply', budgetShare: 0.3 });
  });

  it('lists every bad setting at once', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        ...BASE,
        LOCKSTEP_CORRECTIONS: 'yes',
        LOCKSTEP_CORRECTIONS_BUDGET_PERCENT: '95',
        LOCKSTEP_CORRECTIONS_MAX_SENDS: '0',
        LOCKSTEP_CORRECTIONS_BULK_MAX: '501',
        LOCKSTEP_CORRECTIONS_EVENT_CONFIRM_MS: '-1',
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'LOCKSTEP_CORRECTIONS',
      'LOCKSTEP_CORRECTIONS_BUDGET_PERCENT',
      'LOCKSTEP_CORRECTIONS_MAX_SENDS',
      'LOCKSTEP_CORRECTIONS_BULK_MAX',
      'LOCKSTEP_CORRECTIONS_EVENT_CONFIRM_MS',
    ]);
  });
});
