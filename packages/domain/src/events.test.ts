import { describe, expect, test } from 'vitest';
import { EventError } from './errors.js';
import { parseAgentEvent } from './events.js';

describe('parseAgentEvent', () => {
  test('accepts valid events', () => {
    const event = {
      type: 'SIGNAL',
      update: { signal: 'routing', value: 'IDLE', at: 1_700_000_000_000, source: 'event' },
    };
    expect(parseAgentEvent(event)).toEqual(event);
    expect(
      parseAgentEvent({ type: 'DECLARE', presence: 'ON_QUEUE', by: 'wfm', at: 1, ttlMs: 1_000 }),
    ).toMatchObject({
      type: 'DECLARE',
    });
  });

  test('lists every problem', () => {
    let error: unknown;
    try {
      parseAgentEvent({
        type: 'RESYNC',
        at: -1,
        updates: [
          { signal: 'presence', value: { system: 'On Queue', definitionId: null }, at: 1.5, source: 'event' },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventError);
    expect((error as EventError).problems.map((p) => p.path).sort()).toEqual([
      'at',
      'updates.0.at',
      'updates.0.value.system',
    ]);
  });

  test('a declaration must declare something', () => {
    expect(() => parseAgentEvent({ type: 'DECLARE', by: 'wfm', at: 1, ttlMs: 1_000 })).toThrow(
      /presence or routing/,
    );
  });
});
