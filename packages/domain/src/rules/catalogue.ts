import { adherenceDisagrees } from './adherence-disagrees.js';
import { onQueueDuringApprovedTimeOff } from './on-queue-during-approved-time-off.js';
import { onQueueDuringScheduledOff } from './on-queue-during-scheduled-off.js';
import { onQueueNotRoutable } from './on-queue-not-routable.js';
import { onQueueWithoutStation } from './on-queue-without-station.js';
import { outOfAdherenceOnQueue } from './out-of-adherence-on-queue.js';
import { repeatedNotResponding } from './repeated-not-responding.js';
import { routableWhileOffline } from './routable-while-offline.js';
import { stateNotSticking } from './state-not-sticking.js';
import { stationNotUpAtShiftStart } from './station-not-up-at-shift-start.js';
import { stuckNotResponding } from './stuck-not-responding.js';
import type { RuleDefinition } from './types.js';

/** The rule catalogue in evaluation order (the order of `RULE_IDS`). */
export const RULES: readonly RuleDefinition[] = Object.freeze([
  onQueueNotRoutable,
  stuckNotResponding,
  repeatedNotResponding,
  onQueueWithoutStation,
  routableWhileOffline,
  outOfAdherenceOnQueue,
  onQueueDuringScheduledOff,
  stateNotSticking,
  adherenceDisagrees,
  onQueueDuringApprovedTimeOff,
  stationNotUpAtShiftStart,
]);
