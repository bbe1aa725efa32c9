import { describe, expect, test } from 'vitest';
import { PolicyError } from './errors.js';
import { DEFAULT_POLICY, parsePolicy, RULE_IDS } from './policy.js';

describe('parsePolicy', () => {
  test('fills every default and freezes the result', () => {
    const policy = parsePolicy({});
    expect(policy.rules['on-queue-not-routable'].graceMs).toBe(15_000);
    expect(policy.rules['stuck-not-responding'].graceMs).toBe(30_000);
    expect(policy.rules['repeated-not-responding']).toMatchObject({ episodes: 3, windowMs: 600_000 });
    expect(policy.rules['state-not-sticking'].windowMs).toBe(120_000);
    expect(Object.keys(policy.rules).sort()).toEqual([...RULE_IDS].sort());
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules['routable-while-offline'].presences)).toBe(true);
    expect(() => {
      (policy.corrections as { maxPerWindow: number }).maxPerWindow = 99;
    }).toThrow(TypeError);
    expect(DEFAULT_POLICY).toEqual(policy);
  });

  test('keeps given values and defaults the rest', () => {
    const policy = parsePolicy({ rules: { 'stuck-not-responding': { graceMs: 5_000, action: 'alert' } } });
    expect(policy.rules['stuck-not-responding']).toEqual({
      enabled: true,
      graceMs: 5_000,
      severity: 'warning',
      action: 'alert',
    });
  });

  test('lists EVERY problem with its path', () => {
    let error: unknown;
    try {
      parsePolicy({
        rules: {
          'stuck-not-responding': { graceMs: -1, severity: 'loud' },
          'repeated-not-responding': { episodes: 1 },
          'no-such-rule': {},
        },
        corrections: { maxPerWindow: 0 },
        extra: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const problems = (error as PolicyError).problems;
    const paths = problems.map((p) => p.path).sort();
    expect(paths).toEqual([
      '',
      'corrections.maxPerWindow',
      'rules',
      'rules.repeated-not-responding.episodes',
      'rules.stuck-not-responding.graceMs',
      'rules.stuck-not-responding.severity',
    ]);
    expect(problems.find((p) => p.path === 'rules')?.message).toContain('no-such-rule');
    expect(problems.find((p) => p.path === '')?.message).toContain('extra');
    expect((error as PolicyError).code).toBe('DOMAIN_POLICY_INVALID');
    expect((error as PolicyError).message).toContain('rules.stuck-not-responding.graceMs');
  });

  test('rejects non-objects', () => {
    expect(() => parsePolicy('strict')).toThrow(PolicyError);
    expect(() => parsePolicy({ rules: { 'routable-while-offline': { presences: ['ON_QUEUE'] } } })).toThrow(
      PolicyError,
    );
  });
});
