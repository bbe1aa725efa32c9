import type { Policy } from '../policy.js';

/** The flap guard's answer: go ahead no earlier than `notBefore`, or wait until `retryAt`. */
export type GuardDecision =
  | { readonly allowed: true; readonly notBefore: number }
  | { readonly allowed: false; readonly retryAt: number };

/**
 * Flap guard for one agent. Pure. `corrections` holds the `notBefore` of recent intents (oldest first). Allows
 * at most `maxPerWindow` corrections per sliding `windowMs`, spaced by at least `minSpacingMs` (a correction
 * that comes too soon is allowed but scheduled later through `notBefore`).
 */
export function flapGuard(
  corrections: readonly number[],
  now: number,
  settings: Policy['corrections'],
): GuardDecision {
  const recent = corrections.filter((t) => t + settings.windowMs > now);
  if (recent.length >= settings.maxPerWindow) {
    const oldestThatCounts = recent[recent.length - settings.maxPerWindow] ?? now;
    return { allowed: false, retryAt: oldestThatCounts + settings.windowMs };
  }
  const last = recent[recent.length - 1];
  return { allowed: true, notBefore: last === undefined ? now : Math.max(now, last + settings.minSpacingMs) };
}

/** Records an allowed correction, keeping only what the guard can still need (bounded by `maxPerWindow`). */
export function recordCorrection(
  corrections: readonly number[],
  notBefore: number,
  now: number,
  settings: Policy['corrections'],
): number[] {
  const kept = corrections.filter((t) => t + settings.windowMs > now);
  kept.push(notBefore);
  return kept.slice(-settings.maxPerWindow);
}
