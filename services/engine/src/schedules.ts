import type { ScheduleChangeKind, ScheduleSegment, SignalUpdate } from '@lockstep/domain';
import { type Clock, isGenesysError } from '@lockstep/genesys';
import type { CachedSchedule, ScheduleCache } from '@lockstep/store';
import type { Logger } from 'pino';
import type { WfmGate } from './resync.js';
import type { ScheduleLoader } from './schedule-loader.js';

/** Where a schedule-change notification came from: the agent's own topic or the MU-wide one. */
export type ScheduleChangeOrigin = 'user' | 'managementUnit';

export interface ScheduleServiceDeps {
  readonly loader: ScheduleLoader;
  /** The Redis cache, or `null` to keep schedules in memory only. */
  readonly cache: ScheduleCache | null;
  /** Feeds one agent's `plannedSchedule` signal to the pipeline. */
  readonly submit: (agentId: string, update: SignalUpdate) => void;
  readonly wfm: WfmGate;
  readonly tracked: (agentId: string) => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every tracked agent's schedule is reloaded this often. Default 15 min. */
  readonly refreshIntervalMs?: number;
  /** Change notifications are gathered this long before one reload (a swap is two agents' events). Default 2 s. */
  readonly debounceMs?: number;
  /** Delay before a failed load is tried again. Default 30 s. */
  readonly retryDelayMs?: number;
  /** The management units of the loaded agents changed (subscribe their adherence and schedule-change topics). */
  readonly onManagementUnits?: (muIds: readonly string[]) => void;
}

/**
 * Keeps every tracked agent's published schedule loaded: restores it from the Redis cache when an agent is
 * tracked, loads it (and on a timer reloads everyone), and reloads agents whose schedule-change notifications
 * arrived. Records when and how each agent's schedule last changed: only a reload after a notification whose
 * segments differ from the previous load (or of an agent with no change known yet) counts as a change; it is a `swap` when the segments the agent gained
 * are segments another agent of the same reload lost, else a `publish` when the MU-wide notification named the
 * agent, else an `edit` ([UNVERIFIED] classification; docs/operations.md, Schedules). One worker; every load goes
 * through the API pacer.
 */
export interface ScheduleService {
  start(): void;
  track(agentIds: readonly string[]): Promise<void>;
  changed(agentIds: readonly string[], origin: ScheduleChangeOrigin, at: number): void;
  forget(agentId: string): void;
  /** Resolves when nothing is queued or in flight (debounced changes included). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface Known {
  readonly segments: readonly ScheduleSegment[];
  readonly changedAt: number | null;
  readonly change: ScheduleChangeKind | null;
}

const signature = (s: ScheduleSegment): string =>
  `${s.start}-${s.end}-${s.category}-${s.activityCodeId ?? '-'}`;

export function createScheduleService(deps: ScheduleServiceDeps): ScheduleService {
  const log = deps.logger.child({ component: 'schedules' });
  const { clock } = deps;
  const refreshMs = deps.refreshIntervalMs ?? 15 * 60_000;
  const debounceMs = deps.debounceMs ?? 2_000;
  const retryMs = deps.retryDelayMs ?? 30_000;
  const known = new Map<string, Known>();
  const unitOf = new Map<string, string>();
  let reportedUnits = '';
  const queued = new Set<string>();
  const notices = new Map<string, { at: number; viaMu: boolean }>();
  const gathering = new Map<string, { at: number; viaMu: boolean }>();
  let debounce: unknown = null;
  let refreshTimer: unknown = null;
  const retryTimers = new Set<unknown>();
  let worker: Promise<void> | undefined;
  let closed = false;
  let waiters: Array<() => void> = [];

  function kick(): void {
    if (worker || closed || queued.size === 0) return;
    worker = work().finally(() => {
      worker = undefined;
      if (!closed && queued.size > 0) kick();
      else settle();
    });
  }

  function settle(): void {
    if (worker || debounce !== null || (queued.size > 0 && !closed)) return;
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  }

  function emit(agentId: string, value: Known, at: number): void {
    deps.submit(agentId, {
      signal: 'plannedSchedule',
      value: { segments: value.segments, changedAt: value.changedAt, change: value.change },
      at,
      observed: true,
      source: 'resync',
    });
  }

  async function work(): Promise<void> {
    while (!closed && queued.size > 0) {
      if (!deps.wfm.enabled()) {
        queued.clear();
        return;
      }
      const ids = [...queued].filter((id) => deps.tracked(id));
      queued.clear();
      const changes = new Map<string, { at: number; viaMu: boolean }>();
      for (const id of ids) {
        const notice = notices.get(id);
        if (notice !== undefined) changes.set(id, notice);
        notices.delete(id);
      }
      const now = clock.now();
      try {
        const result = await deps.loader.load(ids, now);
        apply(result.schedules, changes, now);
        reportUnits();
        log.debug({ agents: ids.length, requests: result.requests }, 'schedules loaded');
      } catch (err) {
        if (isGenesysError(err, 'GENESYS_FORBIDDEN')) {
          deps.wfm.forbidden(ids);
          continue;
        }
        log.warn({ err, agents: ids.length }, 'schedule load failed: retrying later');
        for (const [id, notice] of changes) notices.set(id, notice);
        const timer = clock.setTimeout(() => {
          retryTimers.delete(timer);
          for (const id of ids) queued.add(id);
          kick();
        }, retryMs);
        retryTimers.add(timer);
      }
    }
  }

  function apply(
    loaded: ReadonlyMap<string, { segments: ScheduleSegment[]; managementUnitId: string }>,
    changes: ReadonlyMap<string, { at: number; viaMu: boolean }>,
    now: number,
  ): void {
    // What each changed agent gained and lost since the previous load (for swap detection).
    const gained = new Map<string, string[]>();
    const lost = new Map<string, { mu: string; set: Set<string> }>();
    for (const [id, change] of changes) {
      const previous = known.get(id);
      const next = loaded.get(id);
      if (previous === undefined || next === undefined || change === undefined) continue;
      const before = new Set(previous.segments.map(signature));
      const after = new Set(next.segments.map(signature));
      gained.set(
        id,
        [...after].filter((s) => !before.has(s)),
      );
      lost.set(id, { mu: next.managementUnitId, set: new Set([...before].filter((s) => !after.has(s))) });
    }
    for (const [id, schedule] of loaded) {
      const previous = known.get(id);
      const change = changes.get(id);
      let changedAt = previous?.changedAt ?? null;
      let kind = previous?.change ?? null;
      const differs =
        previous === undefined ||
        previous.segments.map(signature).join(';') !== schedule.segments.map(signature).join(';');
      // A notice that changes nothing keeps the earlier change (a publish after a swap stays a swap), unless
      // no change is known yet (the change happened before this engine loaded the schedule).
      if (change !== undefined && (differs || changedAt === null)) {
        changedAt = change.at;
        kind = classify(id, schedule.managementUnitId, change.viaMu, gained, lost);
      }
      const value: Known = { segments: schedule.segments, changedAt, change: kind };
      known.set(id, value);
      unitOf.set(id, schedule.managementUnitId);
      emit(id, value, now);
      if (deps.cache !== null) {
        const entry: CachedSchedule = { ...value, loadedAt: now };
        deps.cache
          .write(id, entry)
          .catch((err: unknown) => log.warn({ err, agentId: id }, 'schedule cache write failed'));
      }
    }
  }

  function reportUnits(): void {
    const units = [...new Set(unitOf.values())].sort();
    const text = units.join(',');
    if (text === reportedUnits) return;
    reportedUnits = text;
    deps.onManagementUnits?.(units);
  }

  function classify(
    id: string,
    mu: string,
    viaMu: boolean,
    gained: ReadonlyMap<string, string[]>,
    lost: ReadonlyMap<string, { mu: string; set: Set<string> }>,
  ): ScheduleChangeKind {
    const mine = gained.get(id) ?? [];
    if (mine.length > 0) {
      for (const [other, theirs] of lost) {
        if (other !== id && theirs.mu === mu && mine.every((s) => theirs.set.has(s))) return 'swap';
      }
    }
    return viaMu ? 'publish' : 'edit';
  }

  function flushNotices(): void {
    debounce = null;
    for (const [id, notice] of gathering) {
      const held = notices.get(id);
      notices.set(
        id,
        held === undefined ? notice : { at: Math.max(held.at, notice.at), viaMu: held.viaMu || notice.viaMu },
      );
      queued.add(id);
    }
    gathering.clear();
    kick();
    settle();
  }

  return {
    start() {
      if (refreshTimer !== null || closed) return;
      const tick = () => {
        refreshTimer = clock.setTimeout(() => {
          for (const id of known.keys()) queued.add(id);
          kick();
          tick();
        }, refreshMs);
      };
      tick();
    },
    async track(agentIds) {
      if (closed || agentIds.length === 0) return;
      if (deps.cache !== null) {
        try {
          const cached = await deps.cache.read(agentIds);
          for (const [id, entry] of cached) {
            if (known.has(id)) continue;
            const value: Known = {
              segments: entry.segments as ScheduleSegment[],
              changedAt: entry.changedAt,
              change: entry.change as ScheduleChangeKind | null,
            };
            known.set(id, value);
            emit(id, value, entry.loadedAt);
          }
        } catch (err) {
          log.warn({ err, agents: agentIds.length }, 'schedule cache read failed: loading over REST only');
        }
      }
      for (const id of agentIds) queued.add(id);
      kick();
    },
    changed(agentIds, origin, at) {
      if (closed) return;
      for (const id of agentIds) {
        const held = gathering.get(id);
        const viaMu = origin === 'managementUnit' || held?.viaMu === true;
        gathering.set(id, { at: Math.max(held?.at ?? at, at), viaMu });
      }
      if (debounce === null && gathering.size > 0) debounce = clock.setTimeout(flushNotices, debounceMs);
    },
    forget(agentId) {
      known.delete(agentId);
      unitOf.delete(agentId);
      queued.delete(agentId);
      notices.delete(agentId);
      gathering.delete(agentId);
      deps.loader.forget(agentId);
    },
    idle() {
      if (!worker && debounce === null && queued.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      if (refreshTimer !== null) clock.clearTimeout(refreshTimer);
      if (debounce !== null) clock.clearTimeout(debounce);
      debounce = null;
      for (const t of retryTimers) clock.clearTimeout(t);
      retryTimers.clear();
      queued.clear();
      await worker;
      settle();
    },
  };
}
