import { z } from 'zod';

/**
 * A decimal integer in `min..max`, read from text (an environment variable or a flag). `0x10`, `1e3`, `12.0`, `+5`
 * and the empty string are refused with "must be a decimal integer", not coerced (`Number` would take them).
 * Negative numbers only when `min` is below 0.
 */
export function decimalInt(min: number, max: number) {
  const pattern = min < 0 ? /^-?\d+$/ : /^\d+$/;
  return z
    .string()
    .trim()
    .regex(pattern, 'must be a decimal integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}
