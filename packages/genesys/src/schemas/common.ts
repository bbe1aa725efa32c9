import { z } from 'zod';
import type { SystemPresence } from './events.js';

const SYSTEM_PRESENCES: ReadonlySet<string> = new Set<SystemPresence>([
  'AVAILABLE',
  'AWAY',
  'BUSY',
  'OFFLINE',
  'IDLE',
  'ON_QUEUE',
  'MEAL',
  'TRAINING',
  'MEETING',
  'BREAK',
]);

const UPPER_SNAKE = /^[A-Z_]+$/;

/**
 * Normalises any spelling of a system presence (`On Queue`, `ON_QUEUE`, `OnQueue`, `on queue`, `on-queue`) to
 * UPPER_SNAKE. Returns undefined for values that are not one of the ten system presences. Pure.
 */
export function normalizeSystemPresence(value: string): SystemPresence | undefined {
  let v = value;
  if (!UPPER_SNAKE.test(v)) {
    v = v
      .trim()
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .replace(/[\s-]+/g, '_')
      .toUpperCase();
  }
  return SYSTEM_PRESENCES.has(v) ? (v as SystemPresence) : undefined;
}

/** A system presence in any casing, output UPPER_SNAKE; unknown values fail validation. */
export const systemPresenceSchema = z.string().transform((s, ctx): SystemPresence => {
  const p = normalizeSystemPresence(s);
  if (p === undefined) {
    ctx.issues.push({ code: 'custom', message: `unknown system presence "${s}"`, input: s });
    return z.NEVER;
  }
  return p;
});

/** An ISO-8601 instant, output as epoch milliseconds. */
export const instantSchema = z.string().transform((s, ctx): number => {
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.issues.push({ code: 'custom', message: `invalid date "${s}"`, input: s });
    return z.NEVER;
  }
  return t;
});

export const routingStatusSchema = z.enum([
  'OFF_QUEUE',
  'IDLE',
  'INTERACTING',
  'NOT_RESPONDING',
  'COMMUNICATING',
]);

export const idRefSchema = z.object({ id: z.string().min(1) });

/** One-line summary of a zod error: `path: message; path: message`. */
export function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}
