import { UnknownPresenceError } from './errors.js';

/** The ten Genesys system presences, normalised to UPPER_SNAKE (the notification spelling). */
export const SYSTEM_PRESENCES = [
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
] as const;
export type SystemPresence = (typeof SYSTEM_PRESENCES)[number];

/** Genesys routing statuses (`routingStatus.status`). */
export const ROUTING_STATUSES = [
  'OFF_QUEUE',
  'IDLE',
  'INTERACTING',
  'NOT_RESPONDING',
  'COMMUNICATING',
] as const;
export type RoutingStatus = (typeof ROUTING_STATUSES)[number];

/** WFM activity categories as used by real-time adherence (`scheduledActivityCategory`). */
export const ACTIVITY_CATEGORIES = [
  'OnQueueWork',
  'Break',
  'Meal',
  'Meeting',
  'Training',
  'TimeOff',
  'OffQueueWork',
  'Unavailable',
  'Unscheduled',
] as const;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];

/** WFM real-time adherence states. */
export const ADHERENCE_STATES = [
  'InAdherence',
  'OutOfAdherence',
  'Unscheduled',
  'Unknown',
  'Ignored',
  'Explained',
] as const;
export type AdherenceState = (typeof ADHERENCE_STATES)[number];

// Keyed by the presence with every non-letter removed and upper-cased, so that `On Queue` (REST),
// `ON_QUEUE` (notifications) and `OnQueue` (WFM, new definitions API) all meet at `ONQUEUE`.
const BY_LETTERS: ReadonlyMap<string, SystemPresence> = new Map(
  SYSTEM_PRESENCES.map((p) => [p.replace(/_/g, ''), p] as const),
);

/**
 * Normalises a system presence from any Genesys surface (`On Queue`, `ON_QUEUE`, `OnQueue`, `available`, ...)
 * to its UPPER_SNAKE form. Pure. Returns `undefined` for anything that is not one of the ten system presences.
 */
export function tryNormalizeSystemPresence(input: string): SystemPresence | undefined {
  return BY_LETTERS.get(input.replace(/[^A-Za-z]/g, '').toUpperCase());
}

/**
 * Like {@link tryNormalizeSystemPresence} but throws `UnknownPresenceError` (code `PRESENCE_UNKNOWN`) for
 * anything that is not one of the ten system presences.
 */
export function normalizeSystemPresence(input: string): SystemPresence {
  const presence = tryNormalizeSystemPresence(input);
  if (presence === undefined) throw new UnknownPresenceError(input);
  return presence;
}

/** Routing statuses in which the agent is working an interaction (never correct the agent then). */
export function isWorkingStatus(status: RoutingStatus): boolean {
  return status === 'INTERACTING' || status === 'COMMUNICATING';
}
