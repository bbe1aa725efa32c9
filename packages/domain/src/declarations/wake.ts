import type { DesiredState } from './types.js';
import { isFinal } from './types.js';

/**
 * The next instant a declaration needs looking at with no event arriving, or `null`: its `validFrom` (apply on
 * time), its `validUntil` (expire on time), or a planned retry. Pure.
 */
export function declarationWake(desired: DesiredState | null, now: number): number | null {
  if (desired === null || isFinal(desired.outcome.status)) return null;
  let next = desired.validUntil;
  if (now < desired.validFrom) next = desired.validFrom;
  if (desired.wakeAt !== null && desired.wakeAt > now && desired.wakeAt < next) next = desired.wakeAt;
  return next;
}
