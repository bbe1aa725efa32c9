import { describe, expect, test } from 'vitest';
import { applyRedisPassword } from './redis-password.js';

describe('applyRedisPassword', () => {
  test('puts the password into every URL, user names kept, special characters encoded', () => {
    const { urls, problems } = applyRedisPassword(
      ['redis://redis:6379', 'rediss://app@10.0.0.2:6380/2'],
      'p@ss:w/rd',
    );
    expect(problems).toEqual([]);
    expect(urls).toEqual([
      'redis://:p%40ss%3Aw%2Frd@redis:6379',
      'rediss://app:p%40ss%3Aw%2Frd@10.0.0.2:6380/2',
    ]);
    expect(decodeURIComponent(new URL(urls[0] ?? '').password)).toBe('p@ss:w/rd');
  });

  test('no password leaves the URLs as they are', () => {
    expect(applyRedisPassword(['redis://:inline@h:1'], undefined)).toEqual({
      urls: ['redis://:inline@h:1'],
      problems: [],
    });
  });

  test('a URL that already carries a password is a problem that never shows either password', () => {
    const { problems } = applyRedisPassword(['redis://h:1', 'redis://:inline-pw@h:2'], 'file-pw');
    expect(problems).toEqual(['REDIS_PASSWORD: REDIS_URL item 2 already carries a password: keep one']);
    expect(problems.join('')).not.toMatch(/inline-pw|file-pw/);
  });
});
