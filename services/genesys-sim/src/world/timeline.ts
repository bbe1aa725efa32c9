import { DateTime } from 'luxon';
import type { TimelineEntry } from '../scenario/index.js';
import { SimApiError, type WorldAction } from './contract.js';
import type { WorldCore } from './core.js';

/**
 * Wire instant of a timeline `at`: `+<seconds>` after the start, `HH:mm[:ss]` on the start date, or a full wall
 * time; wall times are read in the entry zone (an MU id or IANA zone), else the scenario zone.
 */
export function timelineInstant(
  core: WorldCore,
  entry: Pick<TimelineEntry, 'at' | 'zone'>,
  muZone: (id: string) => string | undefined,
): number {
  const at = entry.at;
  if (at.startsWith('+')) return core.time.anchorMs + Number(at.slice(1)) * 1000;
  const zone = entry.zone ? (muZone(entry.zone) ?? entry.zone) : core.time.zone;
  if (/^\d{2}:\d{2}/.test(at)) {
    const startDate = DateTime.fromMillis(core.time.startEpochMs, { zone }).toISODate();
    return core.time.wallToWire(`${startDate}T${at}`, zone);
  }
  return core.time.wallToWire(at, zone);
}

/** Schedules every timeline entry; per-agent entries (`forAgents`) are expanded and optionally spread. */
export function scheduleTimeline(
  core: WorldCore,
  act: (action: WorldAction) => void,
  muZone: (id: string) => string | undefined,
): void {
  const groupMembers = new Map<string, string[]>();
  for (const a of core.agentList) {
    if (!a.groupId) continue;
    const list = groupMembers.get(a.groupId) ?? [];
    list.push(a.id);
    groupMembers.set(a.groupId, list);
  }
  // A scripted action that does not apply when it runs (a hold without a connected call, an edit of a shift that
  // a swap moved away) is skipped, as the control API would refuse it; it must not stop the world.
  const tryAct = (action: WorldAction): void => {
    try {
      act(action);
    } catch (err) {
      if (!(err instanceof SimApiError)) throw err;
    }
  };
  for (const entry of core.scenario.timeline) {
    const at = timelineInstant(core, entry, muZone);
    if (!entry.forAgents) {
      core.atWire(at, () => tryAct(entry.action));
      continue;
    }
    const f = entry.forAgents;
    let ids = f.ids ?? [];
    if (f.group) {
      const members = groupMembers.get(f.group) ?? [];
      ids = [...ids, ...members.slice((f.from ?? 1) - 1, f.to ?? members.length)];
    }
    for (const agentId of ids) {
      const offset = f.spreadMs > 0 ? core.rng.float() * f.spreadMs : 0;
      const action = { ...entry.action, agentId } as WorldAction;
      core.atWire(at + offset, () => tryAct(action));
    }
  }
}
