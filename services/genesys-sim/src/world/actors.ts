import type { ActivityCategory } from '../scenario/index.js';
import type { SystemPresence } from './contract.js';
import type { WorldCore } from './core.js';
import { AGENT_CLIENT, type Platform } from './platform.js';
import type { PresenceDefinition } from './presence-definitions.js';
import { SYSTEM_PRESENCE_IDS } from './presence-definitions.js';
import type { AgentState } from './state.js';
import type { ActivityNow } from './wfm.js';

/** Presence an agent picks to follow a scheduled category (null = no activity: log off). */
const PRESENCE_FOR: Readonly<Record<ActivityCategory, SystemPresence>> = {
  OnQueueWork: 'On Queue',
  Break: 'Break',
  Meal: 'Meal',
  Meeting: 'Meeting',
  Training: 'Training',
  TimeOff: 'Offline',
  OffQueueWork: 'Available',
  Unavailable: 'Offline',
};

/** How many times an agent stuck in NOT_RESPONDING re-selects On Queue before giving up. */
const MAX_RECOVERY_ATTEMPTS = 3;

/**
 * Agent behaviour (seeded): recovering from NOT_RESPONDING, following the schedule, their client reverting
 * presence pushed by others, and the scenario's hidden login-time station failure.
 */
export interface Actors {
  presenceChanged(agent: AgentState, previous: PresenceDefinition, by: string): void;
  notResponding(agent: AgentState): void;
  activityBoundary(agent: AgentState, activity: ActivityNow | null): void;
}

export function createActors(core: WorldCore, platform: Platform): Actors {
  const def = (p: SystemPresence): PresenceDefinition => core.definitions.get(SYSTEM_PRESENCE_IDS[p])!;
  const attempts = new Map<AgentState, number>();
  const lagMs = (a: AgentState): number => {
    const { min, max } = a.behaviour.scheduleLagSec;
    return (min + core.rng.float() * (max - min)) * 1000;
  };

  const scheduleRecovery = (a: AgentState): void => {
    const after = a.behaviour.recoverFromNotRespondingSec;
    if (after === null || a.recoverHandle !== 0) return;
    a.recoverHandle = core.scheduler.after(after * 1000, () => {
      a.recoverHandle = 0;
      if (a.routing !== 'NOT_RESPONDING') {
        attempts.delete(a);
        return;
      }
      const n = (attempts.get(a) ?? 0) + 1;
      attempts.set(a, n);
      platform.setPresence(a, def('On Queue'), AGENT_CLIENT);
      if (a.routing === 'NOT_RESPONDING' && n < MAX_RECOVERY_ATTEMPTS) scheduleRecovery(a);
    });
  };

  const loginFailure = (a: AgentState): void => {
    const rule = core.platform.loginStationFailure;
    if (!rule || !a.station?.associated || !a.station.healthy) return;
    const changedAt = a.scheduleChangedAt;
    if (changedAt === null || core.nowWire() - changedAt > rule.scheduleChangedWithinHours * 3_600_000)
      return;
    if (rule.requirePendingTimeOff && !a.timeOff.some((t) => t.status === 'PENDING')) return;
    if (rule.effect === 'kill') platform.setStationHealth(a, false);
    else platform.disassociateStation(a);
  };

  return {
    presenceChanged(a, previous, by) {
      if (previous.systemPresence === 'Offline' && a.presence.systemPresence !== 'Offline') loginFailure(a);
      if (a.revert.enabled && by !== AGENT_CLIENT && previous.id !== a.presence.id) {
        const pushed = a.presence;
        core.scheduler.after(a.revert.afterMs, () => {
          // The agent's own client restores what it believes is right, unless something else changed it since.
          if (a.presence === pushed) platform.setPresence(a, previous, AGENT_CLIENT);
        });
      }
    },
    notResponding(a) {
      attempts.delete(a);
      if (a.routing === 'NOT_RESPONDING') scheduleRecovery(a);
    },
    activityBoundary(a, activity) {
      if (!a.behaviour.followsSchedule || !core.rng.chance(a.behaviour.scheduleAdherence)) return;
      const target = def(activity ? PRESENCE_FOR[activity.code.category] : 'Offline');
      core.scheduler.after(lagMs(a), () => {
        if (a.presence.id !== target.id) platform.setPresence(a, target, AGENT_CLIENT);
      });
    },
  };
}
