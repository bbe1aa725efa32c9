import { describe, expect, test } from 'vitest';
import { UnknownPresenceError } from './errors.js';
import { normalizeSystemPresence, SYSTEM_PRESENCES, tryNormalizeSystemPresence } from './presence.js';

describe('normalizeSystemPresence', () => {
  test.each([
    ['On Queue', 'ON_QUEUE'],
    ['ON_QUEUE', 'ON_QUEUE'],
    ['OnQueue', 'ON_QUEUE'],
    ['on queue', 'ON_QUEUE'],
    ['Available', 'AVAILABLE'],
    ['AVAILABLE', 'AVAILABLE'],
    ['Offline', 'OFFLINE'],
    ['Break', 'BREAK'],
    ['Meal', 'MEAL'],
    ['Training', 'TRAINING'],
    ['Meeting', 'MEETING'],
    ['Busy', 'BUSY'],
    ['Away', 'AWAY'],
    ['Idle', 'IDLE'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeSystemPresence(input)).toBe(expected);
  });

  test('every normalised presence maps to itself', () => {
    for (const p of SYSTEM_PRESENCES) expect(normalizeSystemPresence(p)).toBe(p);
  });

  test('unknown presences throw a coded error; the try variant returns undefined', () => {
    expect(() => normalizeSystemPresence('Lunch')).toThrow(UnknownPresenceError);
    try {
      normalizeSystemPresence('Lunch');
    } catch (error) {
      expect((error as UnknownPresenceError).code).toBe('DOMAIN_PRESENCE_UNKNOWN');
    }
    expect(tryNormalizeSystemPresence('')).toBeUndefined();
    expect(tryNormalizeSystemPresence('Queue On')).toBeUndefined();
  });
});
