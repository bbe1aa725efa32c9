import { z } from 'zod';

/**
 * The control API validates bodies with the same schemas as scenario timelines: one definition of every
 * `TransportFault` and `WorldAction` (the world then checks meaning: unknown ids, dates).
 */
export { transportFaultSchema, worldActionSchema } from '../scenario/schema-actions.js';

/** Formats zod issues as `path: message` lines. */
export function issues(err: z.ZodError): string[] {
  return err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
}

const perMinute = z.number().int().positive().max(1_000_000_000);

/** Body of `PATCH /__sim/settings`. */
export const settingsPatchSchema = z.strictObject({
  tokenRateLimitPerMinute: perMinute.optional(),
  /** OAuth client id → requests per minute over all its tokens; `null` removes the client's limit. */
  clientRateLimits: z.record(z.string(), perMinute.nullable()).optional(),
  scheduleSearchAnswer: z.enum(['sync', 'download']).optional(),
  /** Keep reads (GET) in the request log too (default off). */
  logReads: z.boolean().optional(),
  /** Starts every rate-limit window afresh. */
  resetRateWindows: z.boolean().optional(),
});
