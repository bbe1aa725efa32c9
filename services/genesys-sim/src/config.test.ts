import { describe, expect, it } from 'vitest';
import { loadConfig, SimConfigError } from './config.js';

describe('loadConfig', () => {
  it('applies defaults and reads flags in both spellings', () => {
    const c = loadConfig(['--scenario', 'calm-day', '--port=0', '--heartbeat-ms', '500', '--seed', '-7'], {});
    expect(c).toMatchObject({
      scenario: 'calm-day',
      port: 0,
      host: '127.0.0.1',
      heartbeatMs: 500,
      seed: -7,
      faultSeed: -7,
      controlToken: 'sim-control',
      rateLimitPerMinute: 300,
      usersMaxPageSize: 500,
      maxChannelsPerClient: 20,
      maxTopicsPerChannel: 1000,
      invalidTopicWithIgnoreErrors: 'reject-entity',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the per-client rate limit and the schedule search answer form, unset by default', () => {
    expect(loadConfig(['--scenario', 'x'], {})).toMatchObject({
      clientRateLimitPerMinute: undefined,
      scheduleSearchAnswer: undefined,
    });
    const c = loadConfig(
      ['--scenario', 'x', '--client-rate-limit', '300', '--schedule-search-answer=download'],
      {},
    );
    expect(c).toMatchObject({ clientRateLimitPerMinute: 300, scheduleSearchAnswer: 'download' });
    expect(() =>
      loadConfig(['--scenario', 'x', '--client-rate-limit', '0', '--schedule-search-answer', 'later'], {}),
    ).toThrow(/--client-rate-limit[\s\S]*--schedule-search-answer/);
  });

  it('takes numbers in decimal only: hexadecimal, exponents and fractions are refused, not coerced', () => {
    expect(
      loadConfig(['--scenario', 'x', '--port', '8080', '--seed', '-7', '--speed', '2.5'], {}),
    ).toMatchObject({
      port: 8080,
      seed: -7,
    });
    let err: unknown;
    try {
      loadConfig(
        [
          '--scenario',
          'x',
          '--port',
          '0x10',
          '--rate-limit',
          '1e3',
          '--heartbeat-ms',
          '500.0',
          '--seed',
          '0x7',
        ],
        {},
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimConfigError);
    const text = String((err as Error).message);
    for (const flag of ['--port', '--rate-limit', '--heartbeat-ms', '--seed']) expect(text).toContain(flag);
    expect(text).toContain('must be a decimal integer');
  });

  it('lists every problem in one error', () => {
    let err: unknown;
    try {
      loadConfig(['--port', 'abc', '--bogus', 'x', '--speed', '-1', 'stray'], {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimConfigError);
    const problems = (err as SimConfigError).problems.join('\n');
    expect(problems).toContain('unknown flag --bogus');
    expect(problems).toContain('unexpected argument "stray"');
    expect(problems).toContain('--port');
    expect(problems).toContain('--speed');
    expect(problems).toContain('--scenario');
  });

  it('takes LOG_LEVEL from the environment', () => {
    expect(loadConfig(['--scenario', 's'], { LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(() => loadConfig(['--scenario', 's'], { LOG_LEVEL: 'loud' })).toThrow(SimConfigError);
  });
});
