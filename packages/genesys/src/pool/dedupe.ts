import type { GenesysEvent } from '../schemas/events.js';

/**
 * During a channel handover both sockets deliver for a while: `seen` (the slot's window, `undefined` outside a
 * handover) holds the correlation ids delivered so far. Returns true if `event` was already delivered; else
 * records it and returns false. Events without a correlation id are never duplicates.
 */
export function isDuplicate(seen: Set<string> | undefined, event: GenesysEvent): boolean {
  if (seen === undefined || event.correlationId === undefined) return false;
  if (seen.has(event.correlationId)) return true;
  seen.add(event.correlationId);
  return false;
}
