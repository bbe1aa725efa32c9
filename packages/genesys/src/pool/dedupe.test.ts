import { describe, expect, it } from 'vitest';
import type { GenesysEvent } from '../schemas/events.js';
import { isDuplicate } from './dedupe.js';

const event = (correlationId?: string) => ({ kind: 'presence', correlationId }) as unknown as GenesysEvent;

describe('isDuplicate', () => {
  it('drops a correlation id seen before inside a handover window only', () => {
    const seen = new Set<string>();
    expect(isDuplicate(seen, event('c-1'))).toBe(false);
    expect(isDuplicate(seen, event('c-1'))).toBe(true);
    expect(isDuplicate(seen, event('c-2'))).toBe(false);
    expect(isDuplicate(seen, event())).toBe(false);
    expect(isDuplicate(seen, event())).toBe(false);
    expect(isDuplicate(undefined, event('c-1'))).toBe(false);
  });
});
