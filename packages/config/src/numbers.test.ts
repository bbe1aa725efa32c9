import { describe, expect, test } from 'vitest';
import { decimalInt } from './numbers.js';

describe('decimalInt', () => {
  test('reads decimal integers within the range, and refuses every other spelling with one message', () => {
    const port = decimalInt(0, 65_535);
    expect(port.parse('8088')).toBe(8088);
    expect(port.parse(' 42 ')).toBe(42);
    for (const text of ['0x10', '1e3', '12.0', '+5', '', '-1', 'ten']) {
      const result = port.safeParse(text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.message, text).toBe('must be a decimal integer');
    }
    expect(port.safeParse('70000').success).toBe(false);
  });

  test('takes negative numbers only when the range allows them', () => {
    const seed = decimalInt(-1_000, 1_000);
    expect(seed.parse('-7')).toBe(-7);
    expect(seed.safeParse('-0x7').success).toBe(false);
    expect(seed.safeParse('-1001').success).toBe(false);
  });
});
