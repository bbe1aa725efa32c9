import { IANAZone } from 'luxon';
import type { WorldAction } from '../world/contract.js';
import { PRESENCE_DEFINITION_IDS } from '../world/presence-definitions.js';
import type { ScenarioIssue } from './errors.js';
import { expandAgents } from './expand-agents.js';
import { isClockTime, isIsoInstant, isWallTime } from './calendar.js';
import type { Scenario } from './schema.js';

/** Default activity codes every business unit gets unless the scenario lists its own. */
export const DEFAULT_ACTIVITY_CODE_IDS = ['0', '1', '2', '3', '4', '5', '6', '7'] as const;

/** Whether a timeline `at` is `+<seconds>`, a clock time on the start date, or an existing wall time. */
function isTimelineAt(value: string): boolean {
  return /^\+\d+(\.\d+)?$/.test(value) || isClockTime(value) || isWallTime(value);
}

/** Whether `value` is an MU-local wall time or an ISO instant (the two forms schedule times may take). */
export function isScheduleTime(value: string): boolean {
  return isWallTime(value) || isIsoInstant(value);
}

/**
 * Cross-reference checks the schema cannot express (unknown ids, duplicates, bad times). Pure; returns every
 * problem found, in file order.
 */
export function crossCheckScenario(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const unique = (items: ReadonlyArray<{ id: string }>, path: string): Set<string> => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) add(`${path}.${i}.id`, `duplicate id "${item.id}"`);
      seen.add(item.id);
    });
    return seen;
  };

  const divisions = unique(s.divisions, 'divisions');
  const queues = unique(s.queues, 'queues');
  const bus = unique(s.businessUnits, 'businessUnits');
  const mus = unique(s.managementUnits, 'managementUnits');
  unique(s.agentGroups, 'agentGroups');
  const orgDefs = unique(s.presenceDefinitions, 'presenceDefinitions');
  const definitionIds = new Set<string>([...PRESENCE_DEFINITION_IDS, ...orgDefs]);
  const agents = expandAgents(s);
  const agentIds = new Set<string>();
  for (const a of agents) {
    if (agentIds.has(a.id))
      add(a.groupId ? `agentGroups[${a.groupId}]` : 'agents', `duplicate agent id "${a.id}"`);
    agentIds.add(a.id);
  }
  const agentMu = new Map(agents.map((a) => [a.id, a.managementUnitId]));

  s.queues.forEach((q, i) => {
    if (q.divisionId && !divisions.has(q.divisionId))
      add(`queues.${i}.divisionId`, `unknown division "${q.divisionId}"`);
  });
  s.managementUnits.forEach((mu, i) => {
    if (!bus.has(mu.businessUnitId))
      add(`managementUnits.${i}.businessUnitId`, `unknown business unit "${mu.businessUnitId}"`);
    if (mu.divisionId && !divisions.has(mu.divisionId))
      add(`managementUnits.${i}.divisionId`, `unknown division`);
  });
  const codesByBu = new Map<string, Set<string>>();
  for (const bu of s.businessUnits) codesByBu.set(bu.id, new Set());
  s.activityCodes.forEach((code, i) => {
    const set = codesByBu.get(code.businessUnitId);
    if (!set) add(`activityCodes.${i}.businessUnitId`, `unknown business unit "${code.businessUnitId}"`);
    else if (set.has(code.id))
      add(`activityCodes.${i}.id`, `duplicate activity code "${code.id}" in its business unit`);
    else set.add(code.id);
  });
  for (const [bu, set] of codesByBu)
    if (set.size === 0) for (const c of DEFAULT_ACTIVITY_CODE_IDS) codesByBu.get(bu)?.add(c);
  const codesOfMu = (muId: string | undefined): Set<string> | undefined => {
    const mu = s.managementUnits.find((m) => m.id === muId);
    return mu ? codesByBu.get(mu.businessUnitId) : undefined;
  };

  const checkAgentCommon = (
    a: Scenario['agents'][number] | Scenario['agentGroups'][number],
    path: string,
  ): void => {
    if (a.divisionId && !divisions.has(a.divisionId))
      add(`${path}.divisionId`, `unknown division "${a.divisionId}"`);
    if (a.managementUnitId && !mus.has(a.managementUnitId)) {
      add(`${path}.managementUnitId`, `unknown management unit "${a.managementUnitId}"`);
    }
    a.queues.forEach((q, j) => {
      if (!queues.has(q)) add(`${path}.queues.${j}`, `unknown queue "${q}"`);
    });
    if (a.initialCall && !queues.has(a.initialCall.queueId))
      add(`${path}.initialCall.queueId`, 'unknown queue');
    if (typeof a.presence === 'object' && !definitionIds.has(a.presence.definitionId)) {
      add(`${path}.presence.definitionId`, `unknown presence definition "${a.presence.definitionId}"`);
    }
    if (a.schedule) {
      const template = s.scheduleTemplates[a.schedule.template];
      if (!template) add(`${path}.schedule.template`, `unknown schedule template "${a.schedule.template}"`);
      if (!a.managementUnitId) add(`${path}.schedule`, 'a schedule needs a managementUnitId');
      const codes = codesOfMu(a.managementUnitId);
      template?.shifts.forEach((shift, k) => {
        shift.activities.forEach((act, m) => {
          if (codes && !codes.has(act.activityCodeId)) {
            add(
              `scheduleTemplates.${a.schedule?.template}.shifts.${k}.activities.${m}.activityCodeId`,
              `unknown activity code "${act.activityCodeId}"`,
            );
          }
        });
      });
    }
  };
  s.agents.forEach((a, i) => {
    checkAgentCommon(a, `agents.${i}`);
  });
  s.agentGroups.forEach((g, i) => {
    checkAgentCommon(g, `agentGroups.${i}`);
  });

  s.schedules.forEach((sched, i) => {
    if (!agentIds.has(sched.agentId)) add(`schedules.${i}.agentId`, `unknown agent "${sched.agentId}"`);
    else if (!agentMu.get(sched.agentId)) add(`schedules.${i}.agentId`, 'agent has no managementUnitId');
    const codes = codesOfMu(agentMu.get(sched.agentId));
    sched.shifts.forEach((shift, j) => {
      shift.activities.forEach((act, k) => {
        const p = `schedules.${i}.shifts.${j}.activities.${k}`;
        if (!isScheduleTime(act.start)) add(`${p}.start`, 'expected YYYY-MM-DDTHH:mm or an ISO instant');
        if (codes && !codes.has(act.activityCodeId))
          add(`${p}.activityCodeId`, `unknown activity code "${act.activityCodeId}"`);
      });
    });
  });
  s.timeOffRequests.forEach((t, i) => {
    if (!agentIds.has(t.agentId)) add(`timeOffRequests.${i}.agentId`, `unknown agent "${t.agentId}"`);
    else if (!agentMu.get(t.agentId)) add(`timeOffRequests.${i}.agentId`, 'agent has no managementUnitId');
    if (!t.fullDayDates?.length && !(t.partialStart && t.minutes)) {
      add(`timeOffRequests.${i}`, 'give fullDayDates or partialStart with minutes');
    }
    if (t.partialStart && !isScheduleTime(t.partialStart))
      add(`timeOffRequests.${i}.partialStart`, 'bad time');
  });

  const groups = new Map(s.agentGroups.map((g) => [g.id, g]));
  s.timeline.forEach((entry, i) => {
    const p = `timeline.${i}`;
    if (!isTimelineAt(entry.at)) add(`${p}.at`, 'expected +<seconds>, HH:mm[:ss] or YYYY-MM-DDTHH:mm[:ss]');
    if (entry.zone && !mus.has(entry.zone) && !IANAZone.isValidZone(entry.zone)) {
      add(`${p}.zone`, `neither a management unit id nor an IANA zone: "${entry.zone}"`);
    }
    if (entry.forAgents) {
      const f = entry.forAgents;
      if (f.group && !groups.has(f.group)) add(`${p}.forAgents.group`, `unknown agent group "${f.group}"`);
      if (!f.group && !f.ids) add(`${p}.forAgents`, 'give group or ids');
      f.ids?.forEach((aid, j) => {
        if (!agentIds.has(aid)) add(`${p}.forAgents.ids.${j}`, `unknown agent "${aid}"`);
      });
    }
    checkAction(entry.action, `${p}.action`, entry.forAgents !== undefined);
  });

  function checkAction(action: WorldAction, path: string, perAgent: boolean): void {
    const agent = (value: string | undefined, field: string): void => {
      if (value === undefined) return;
      if (value === '*' && perAgent) return;
      if (!agentIds.has(value)) add(`${path}.${field}`, `unknown agent "${value}"`);
    };
    if ('agentId' in action) agent(action.agentId, 'agentId');
    switch (action.type) {
      case 'swap-shifts':
        agent(action.agentIdA, 'agentIdA');
        agent(action.agentIdB, 'agentIdB');
        break;
      case 'publish-schedule':
        if (!mus.has(action.muId)) add(`${path}.muId`, `unknown management unit "${action.muId}"`);
        action.agentIds?.forEach((a, j) => {
          agent(a, `agentIds.${j}`);
        });
        break;
      case 'join-queue':
      case 'leave-queue':
      case 'remove-from-queue':
      case 'offer-call':
        if (!queues.has(action.queueId)) add(`${path}.queueId`, `unknown queue "${action.queueId}"`);
        break;
      case 'set-presence':
        if (typeof action.presence === 'object' && !definitionIds.has(action.presence.definitionId)) {
          add(
            `${path}.presence.definitionId`,
            `unknown presence definition "${action.presence.definitionId}"`,
          );
        }
        break;
      case 'edit-shift':
        action.activities.forEach((a, j) => {
          if (!isScheduleTime(a.start)) add(`${path}.activities.${j}.start`, 'bad time');
        });
        break;
      default:
        break;
    }
  }
  return issues;
}
