import type { ActivityCategory, ScheduleSegment } from '@lockstep/domain';
import { GenesysError, isGenesysError, type WfmApi } from '@lockstep/genesys';
import { DateTime, IANAZone } from 'luxon';
import { activityCategories, type AgentScheduleBody, scheduleSegments } from './schedule-mapping.js';

/** User ids per MU schedule search ([UNVERIFIED] platform maximum; the documented adherence read takes 100). */
export const SCHEDULE_SEARCH_CHUNK = 100;

export type ScheduleLoaderWfm = Pick<
  WfmApi,
  | 'getAgentManagementUnit'
  | 'listManagementUnits'
  | 'listManagementUnitUsers'
  | 'getBusinessUnitTimeZone'
  | 'listActivityCodes'
  | 'searchManagementUnitSchedules'
  | 'downloadScheduleSearch'
>;

export interface ScheduleLoaderDeps {
  readonly wfm: ScheduleLoaderWfm;
  /** How long an agent's MU/BU, a BU's zone and its activity codes are reused. Default 1 h. */
  readonly cacheTtlMs?: number;
  /** User ids per search. Default `SCHEDULE_SEARCH_CHUNK`. */
  readonly chunkSize?: number;
  /**
   * When at least this many agents of one load have no known management unit, the MU directory is read instead
   * (`GET .../managementunits` and each MU's users: 1 + MUs requests instead of one per agent). Default 50.
   */
  readonly directoryThreshold?: number;
  /** Fetch `http:` download URLs too (the simulator). Default false: only `https:`. */
  readonly allowHttpDownloads?: boolean;
  /** An agent's schedule had parts that could not be mapped (unknown activity code, bad date). */
  readonly onProblems?: (agentId: string, problems: readonly string[]) => void;
  /** A BU's time zone is missing or not IANA (UTC is used then). Once per BU. */
  readonly onUnknownZone?: (businessUnitId: string, zone: string | undefined) => void;
}

/** One agent's published schedule over the window, as UTC segments. */
export interface LoadedSchedule {
  readonly managementUnitId: string;
  readonly businessUnitId: string | null;
  readonly zone: string;
  readonly segments: ScheduleSegment[];
}

export interface LoadResult {
  readonly schedules: Map<string, LoadedSchedule>;
  /** Agents in no management unit (they have no schedule). */
  readonly unscheduled: string[];
  /** API requests made (MU lookups, zones, activity codes, searches), for the rate cost. */
  readonly requests: number;
}

/**
 * Loads published schedules. Per agent: its management unit and business unit (`GET .../agents/{id}/managementunit`,
 * cached; for many unknown agents at once, the MU directory and each MU's users instead); per business unit: its IANA time zone and activity codes (cached); per management unit: one MU
 * agent-schedule search per `chunkSize` agents for the window yesterday 00:00 through the end of tomorrow in the
 * business unit's zone. Both answer forms are read: a synchronous `result`, or a `downloadUrl` fetched without the
 * token. Every API call goes through the shared pacer, so loads stay under the rate limit. A 403 propagates (WFM off).
 */
export interface ScheduleLoader {
  load(agentIds: readonly string[], now: number): Promise<LoadResult>;
  forget(agentId: string): void;
}

/** The search window in `zone` around `now`: yesterday's local midnight to the local midnight after tomorrow. Pure. */
export function scheduleWindow(now: number, zone: string): { start: number; end: number } {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  return {
    start: today.minus({ days: 1 }).toMillis(),
    end: today.plus({ days: 2 }).startOf('day').toMillis(),
  };
}

interface Unit {
  readonly mu: string | null;
  readonly bu: string | null;
  readonly until: number;
}

export function createScheduleLoader(deps: ScheduleLoaderDeps): ScheduleLoader {
  const ttl = deps.cacheTtlMs ?? 3_600_000;
  const size = deps.chunkSize ?? SCHEDULE_SEARCH_CHUNK;
  const units = new Map<string, Unit>();
  const zones = new Map<string, { zone: string; until: number }>();
  const codes = new Map<string, { categories: Map<string, ActivityCategory>; until: number }>();
  const warned = new Set<string>();

  return {
    async load(agentIds, now) {
      let requests = 0;
      const unscheduled: string[] = [];
      const byMu = new Map<string, { bu: string | null; agents: string[] }>();
      const unknown = agentIds.filter((id) => (units.get(id)?.until ?? 0) <= now);
      if (unknown.length >= (deps.directoryThreshold ?? 50)) {
        // Agents the directory does not list are looked up one by one below.
        requests++;
        for (const mu of await deps.wfm.listManagementUnits()) {
          // An MU listed without its business unit ([UNVERIFIED] that the listing carries it) is left to the
          // per-agent look-up, which names both.
          const bu = mu.businessUnit?.id;
          if (mu.id === undefined || bu === undefined) continue;
          requests++;
          for (const user of await deps.wfm.listManagementUnitUsers(mu.id)) {
            if (user.id !== undefined) units.set(user.id, { mu: mu.id, bu, until: now + ttl });
          }
        }
      }
      for (const agentId of agentIds) {
        let unit = units.get(agentId);
        if (unit === undefined || unit.until <= now) {
          let ref: Awaited<ReturnType<ScheduleLoaderWfm['getAgentManagementUnit']>> = {};
          try {
            requests++;
            ref = await deps.wfm.getAgentManagementUnit(agentId);
          } catch (err) {
            if (!isGenesysError(err, 'GENESYS_NOT_FOUND')) throw err;
          }
          unit = { mu: ref.managementUnit?.id ?? null, bu: ref.businessUnit?.id ?? null, until: now + ttl };
          units.set(agentId, unit);
        }
        if (unit.mu === null) {
          unscheduled.push(agentId);
          continue;
        }
        const group = byMu.get(unit.mu) ?? { bu: unit.bu, agents: [] };
        group.agents.push(agentId);
        byMu.set(unit.mu, group);
      }

      const schedules = new Map<string, LoadedSchedule>();
      for (const [mu, group] of byMu) {
        const zone = await zoneOf(group.bu);
        const categories = await categoriesOf(group.bu);
        const window = scheduleWindow(now, zone);
        for (let from = 0; from < group.agents.length; from += size) {
          const ids = group.agents.slice(from, from + size);
          requests++;
          const answer = await deps.wfm.searchManagementUnitSchedules(mu, {
            startDate: new Date(window.start).toISOString(),
            endDate: new Date(window.end).toISOString(),
            userIds: ids,
          });
          let result: unknown = answer.result;
          if (result == null && typeof answer.downloadUrl === 'string' && answer.downloadUrl !== '') {
            result = await deps.wfm.downloadScheduleSearch(answer.downloadUrl, {
              allowHttp: deps.allowHttpDownloads === true,
            });
          }
          if (result == null) {
            // `Processing` with no download: the result would go to a user topic a client cannot have.
            throw new GenesysError(
              'GENESYS_UNEXPECTED_RESPONSE',
              `schedule search answered ${String(answer.status)} with neither a result nor a downloadUrl`,
              { operation: 'wfm.managementunit.schedules.search' },
            );
          }
          const bodies = readAgentSchedules(result);
          for (const id of ids) {
            const mapped = scheduleSegments(bodies.get(id) ?? {}, zone, categories);
            if (mapped.problems.length > 0) deps.onProblems?.(id, mapped.problems);
            schedules.set(id, {
              managementUnitId: mu,
              businessUnitId: group.bu,
              zone,
              segments: mapped.segments,
            });
          }
        }
      }
      return { schedules, unscheduled, requests };

      async function zoneOf(bu: string | null): Promise<string> {
        if (bu === null) return 'UTC';
        const cached = zones.get(bu);
        if (cached !== undefined && cached.until > now) return cached.zone;
        requests++;
        const read = await deps.wfm.getBusinessUnitTimeZone(bu);
        const valid = read !== undefined && IANAZone.isValidZone(read);
        if (!valid && !warned.has(bu)) {
          warned.add(bu);
          deps.onUnknownZone?.(bu, read);
        }
        const zone = valid ? read : 'UTC';
        zones.set(bu, { zone, until: now + ttl });
        return zone;
      }

      async function categoriesOf(bu: string | null): Promise<Map<string, ActivityCategory>> {
        if (bu === null) return new Map();
        const cached = codes.get(bu);
        if (cached !== undefined && cached.until > now) return cached.categories;
        requests++;
        const categories = activityCategories(await deps.wfm.listActivityCodes(bu));
        codes.set(bu, { categories, until: now + ttl });
        return categories;
      }
    },
    forget(agentId) {
      units.delete(agentId);
    },
  };
}

/** `result.agentSchedules[]` by user id; anything unreadable is skipped. Pure. */
function readAgentSchedules(result: unknown): Map<string, AgentScheduleBody> {
  const out = new Map<string, AgentScheduleBody>();
  const list = (result as { agentSchedules?: unknown } | null)?.agentSchedules;
  if (!Array.isArray(list)) {
    throw new GenesysError('GENESYS_UNEXPECTED_RESPONSE', 'schedule search result has no agentSchedules', {
      operation: 'wfm.managementunit.schedules.search',
    });
  }
  for (const entry of list as Array<{ user?: { id?: unknown } } & AgentScheduleBody>) {
    const id = entry?.user?.id;
    if (typeof id === 'string') out.set(id, entry);
  }
  return out;
}
