import type { z } from 'zod';

/**
 * The control API validates bodies with the same schemas as scenario timelines: one definition of every
 * `TransportFault` and `WorldAction` (the world then checks meaning: unknown ids, dates).
 */
export { transportFaultSchema, worldActionSchema } from '../scenario/schema-actions.js';

/** Formats zod issues as `path: message` lines. */
export function issues(err: z.ZodError): string[] {
  return err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
}
