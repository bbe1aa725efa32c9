import type { ActivityCategory } from '../scenario/index.js';
import type { SystemPresence } from './contract.js';
import type { AgentState } from './state.js';
import { iso } from './time.js';
import type { ManagementUnit } from './wfm-model.js';

/**
 * Actual activity category of a presence [assumption: Genesys derives it from the activity codes' secondary
 * presences; the simulator uses this fixed mapping].
 */
const ACTUAL: Readonly<Record<SystemPresence, ActivityCategory>> = {
  'On Queue': 'OnQueueWork',
  Break: 'Break',
  Meal: 'Meal',
  Meeting: 'Meeting',
  Training: 'Training',
  Offline: 'Unavailable',
  Available: 'OffQueueWork',
  Busy: 'OffQueueWork',
  Away: 'OffQueueWork',
  Idle: 'OffQueueWork',
};

/** Presences that adhere to a scheduled category [assumption, documented in docs/genesys-sim.md]. */
const ACCEPTS: Readonly<Record<ActivityCategory, readonly SystemPresence[]>> = {
  OnQueueWork: ['On Queue'],
  Break: ['Break'],
  Meal: ['Meal'],
  Meeting: ['Meeting'],
  Training: ['Training'],
  TimeOff: ['Offline'],
  Unavailable: ['Offline', 'Away', 'Busy'],
  OffQueueWork: ['Available', 'Busy', 'Away', 'Idle'],
};

export function actualCategory(a: AgentState): ActivityCategory {
  return ACTUAL[a.presence.systemPresence];
}

/**
 * Whether the agent adheres to a scheduled category. On-queue work additionally needs a routable status:
 * On Queue but OFF_QUEUE or NOT_RESPONDING does not count as working the queue.
 */
export function isAdherent(scheduled: ActivityCategory, a: AgentState): boolean {
  if (!ACCEPTS[scheduled].includes(a.presence.systemPresence)) return false;
  if (scheduled === 'OnQueueWork') return a.routing !== 'OFF_QUEUE' && a.routing !== 'NOT_RESPONDING';
  return true;
}

const IMPACT = { InAdherence: 'Neutral', OutOfAdherence: 'Negative', Unscheduled: 'Unknown' } as const;

/** Adherence notification body shared by the user and MU topics (reference §3.9). */
export function adherenceBody(
  a: AgentState,
  mu: ManagementUnit,
  reminders: ReadonlyArray<{ activityCategory: string; startDate: string }>,
): Record<string, unknown> {
  const adh = a.adherence!;
  const body: Record<string, unknown> = {
    user: { id: a.id },
    managementUnitId: mu.id,
    businessUnitId: mu.businessUnitId,
    scheduledActivityCategory: adh.scheduledCategory,
    systemPresence: a.presence.wfmSystemPresence,
    routingStatus: a.routing,
    actualActivityCategory: adh.actualCategory,
    isOutOfOffice: a.outOfOffice.active,
    adherenceState: adh.state,
    impact: IMPACT[adh.state],
    adherenceChangeTime: iso(adh.changedAt),
    presenceUpdateTime: iso(a.presenceModified),
    activeQueues: a.activeQueueIds.map((id) => ({ id })),
    activeQueuesModifiedTime: iso(a.activeQueuesChanged),
    removedFromManagementUnit: false,
    suppressOnTimeReminder: false,
    nextActivityReminders: reminders.map((r) => ({ ...r })),
  };
  if (adh.scheduledCodeId !== null) body.scheduledActivityCode = { id: adh.scheduledCodeId };
  if (!a.presence.primary) body.organizationSecondaryPresenceId = a.presence.id;
  return body;
}
