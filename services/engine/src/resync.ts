import type { SignalUpdate } from '@lockstep/domain';
import { type Clock, type GenesysApi, isGenesysError, USER_EXPAND, type User } from '@lockstep/genesys';
import type { Logger } from 'pino';
import type { EngineMetrics } from './metrics.js';
import { createEventTimer, type EventTimeOptions } from './pipeline/event-time.js';
import type { EventMapper } from './pipeline/map-event.js';
import type { Pipeline } from './pipeline/pipeline.js';
import { adherenceAgentId, adherenceSignal, interactionTotals, userSignals } from './rest-mapping.js';
import { createTimeOffReader, type TimeOffReader } from './time-off.js';

/** Why agents are re-read: a pool gap reason, the periodic safety pass, a new agent, or a WFM change. */
export type ResyncReason = string;

/** What the resyncer needs to know about WFM availability. */
export interface WfmGate {
  /** Whether WFM reads are worth trying. */
  enabled(): boolean;
  /** The platform refused WFM (403): disable it for these agents. */
  forbidden(agentIds: readonly string[]): void;
}

export interface ResyncerDeps {
  readonly api: Pick<GenesysApi, 'users' | 'wfm'>;
  readonly pipeline: Pick<Pipeline, 'submit'>;
  readonly metrics: EngineMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly wfm: WfmGate;
  /** Whether an agent is still tracked (reads of dropped agents are skipped). */
  readonly tracked: (agentId: string) => boolean;
  /** Ids per bulk read. Default 100 (the platform's maximum for `id=` and adherence). */
  readonly chunkSize?: number;
  /** Delay before agents whose read failed are tried again. Default 5 s. */
  readonly retryDelayMs?: number;
  /** Tolerance for REST timestamps ahead of the read time, and the clamp counter (as for notifications). */
  readonly eventTimes?: EventTimeOptions;
  /** The conversation map built from `conversations` events: reconciled with every read's conversation summary. */
  readonly conversations?: Pick<EventMapper, 'reconcile'>;
  /** Told of every user read (division, station type for incident attributes). Must not throw. */
  readonly onUserRead?: (user: User) => void;
  /** Told of an agent's management unit and zone at each time-off read (incident attributes). Must not throw. */
  readonly onWfmUnit?: (agentId: string, unit: { managementUnitId: string; timeZone: string }) => void;
  /** Time-off reads (default: over `api.wfm`, management units and time zones cached for an hour). */
  readonly timeOff?: TimeOffReader;
}

/**
 * Re-reads agents over REST after gaps and feeds the result as `RESYNC` events (history cause `resync`).
 * Requests are coalesced per agent and worked off by ONE worker in chunks of 100 ids (users with
 * `expand=presence,routingStatus,station,conversationSummary,outOfOffice`, then WFM adherence), so reads stay
 * within the API pacer's budget however many gaps arrive; the pacer honours 429 Retry-After. While WFM is enabled,
 * every re-read agent's time off is re-read too (one request per agent, after the chunks queued before it).
 */
export interface Resyncer {
  request(agentIds: Iterable<string>, reason: ResyncReason): void;
  /**
   * Re-reads the time-off requests of these agents (a time-off notification carries one request only). `request`
   * re-reads time off too.
   */
  requestTimeOff(agentIds: Iterable<string>): void;
  /** The agent is no longer tracked: drops its queued time-off read and its cached management unit. */
  forget(agentId: string): void;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  /** Stops the worker after the chunk in flight. Idempotent. */
  close(): Promise<void>;
}

export function createResyncer(deps: ResyncerDeps): Resyncer {
  const { api, pipeline, metrics, clock } = deps;
  const log = deps.logger.child({ component: 'resync' });
  const chunkSize = deps.chunkSize ?? 100;
  const retryDelayMs = deps.retryDelayMs ?? 5_000;
  const stamp = createEventTimer(deps.eventTimes);
  const timeOffReader =
    deps.timeOff ??
    createTimeOffReader({
      wfm: api.wfm,
      onUnknownZone: (businessUnitId, zone) =>
        log.warn(
          { businessUnitId, zone: zone ?? null },
          'business unit time zone missing or not an IANA zone: its time off is computed in UTC',
        ),
      ...(deps.onWfmUnit === undefined ? {} : { onUnit: deps.onWfmUnit }),
    });
  const pending = new Map<string, ResyncReason>();
  const timeOff = new Set<string>();
  let worker: Promise<void> | undefined;
  let closed = false;
  const retryTimers = new Set<unknown>();
  let waiters: Array<() => void> = [];

  function kick(): void {
    if (worker || closed) return;
    worker = work().finally(() => {
      worker = undefined;
      if (!closed && (pending.size > 0 || timeOff.size > 0)) kick();
      else {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      }
    });
  }

  function takeChunk(): Array<[string, ResyncReason]> {
    const out: Array<[string, ResyncReason]> = [];
    for (const entry of pending) {
      out.push(entry);
      pending.delete(entry[0]);
      if (out.length === chunkSize) break;
    }
    return out;
  }

  function retryLater(agentIds: readonly string[], reason: ResyncReason): void {
    if (closed) return;
    const timer = clock.setTimeout(() => {
      retryTimers.delete(timer);
      for (const id of agentIds) if (!pending.has(id)) pending.set(id, reason);
      kick();
    }, retryDelayMs);
    retryTimers.add(timer);
  }

  async function readChunk(chunk: Array<[string, ResyncReason]>): Promise<void> {
    const ids = chunk.map(([id]) => id).filter(deps.tracked);
    if (ids.length === 0) return;
    const readAt = clock.now();
    const updates = new Map<string, SignalUpdate[]>(ids.map((id) => [id, []]));
    try {
      const users = await api.users.listUsers({ ids, expand: [...USER_EXPAND, 'outOfOffice'] });
      for (const user of users) {
        const list = user.id === undefined ? undefined : updates.get(user.id);
        if (user.id === undefined || list === undefined) continue;
        list.push(...userSignals(user, readAt, stamp));
        deps.onUserRead?.(user);
        // A lost "disconnected" event must not leave a ghost call in the conversation map.
        const counts = interactionTotals(user.conversationSummary);
        if (counts !== undefined) deps.conversations?.reconcile(user.id, counts, readAt);
      }
    } catch (err) {
      metrics.resyncErrors.inc({ code: isGenesysError(err) ? err.code : 'UNKNOWN' });
      log.warn({ err, agents: ids.length }, 'resync read failed: retrying later');
      retryLater(ids, chunk[0]?.[1] ?? 'retry');
      return;
    }
    if (deps.wfm.enabled()) {
      try {
        for (const record of await api.wfm.getAdherence(ids)) {
          const agentId = adherenceAgentId(record);
          const signal = adherenceSignal(record, readAt, stamp);
          if (agentId !== undefined && signal !== undefined) updates.get(agentId)?.push(signal);
        }
      } catch (err) {
        if (isGenesysError(err, 'GENESYS_FORBIDDEN')) deps.wfm.forbidden(ids);
        else {
          metrics.resyncErrors.inc({ code: isGenesysError(err) ? err.code : 'UNKNOWN' });
          log.warn(
            { err, agents: ids.length },
            'adherence read failed (presence and routing still resynced)',
          );
        }
      }
    }
    const reasons = new Map(chunk);
    for (const [agentId, list] of updates) {
      metrics.resyncs.inc({ reason: reasons.get(agentId) ?? 'unknown' });
      if (list.length > 0) pipeline.submit(agentId, { type: 'RESYNC', at: readAt, updates: list }, 'resync');
    }
  }

  function retryTimeOffLater(agentId: string): void {
    if (closed) return;
    const timer = clock.setTimeout(() => {
      retryTimers.delete(timer);
      timeOff.add(agentId);
      kick();
    }, retryDelayMs);
    retryTimers.add(timer);
  }

  async function readTimeOffOf(agentId: string): Promise<void> {
    if (!deps.tracked(agentId)) {
      timeOffReader.forget(agentId);
      return;
    }
    if (!deps.wfm.enabled()) return;
    try {
      const update = await timeOffReader.read(agentId, clock.now());
      if (update) pipeline.submit(agentId, { type: 'RESYNC', at: update.at, updates: [update] }, 'resync');
    } catch (err) {
      if (isGenesysError(err, 'GENESYS_FORBIDDEN')) deps.wfm.forbidden([agentId]);
      else {
        metrics.resyncErrors.inc({ code: isGenesysError(err) ? err.code : 'UNKNOWN' });
        log.warn({ err, agentId }, 'time-off read failed: retrying later');
        retryTimeOffLater(agentId);
      }
    }
  }

  async function work(): Promise<void> {
    while (!closed && (pending.size > 0 || timeOff.size > 0)) {
      if (pending.size > 0) await readChunk(takeChunk());
      const first = timeOff.values().next();
      if (!first.done) {
        timeOff.delete(first.value);
        await readTimeOffOf(first.value);
      }
    }
  }

  return {
    request(agentIds, reason) {
      if (closed) return;
      // Time off is re-read with every resync: a read's intervals go stale as requests are approved or canceled.
      const wfm = deps.wfm.enabled();
      for (const id of agentIds) {
        if (!pending.has(id)) pending.set(id, reason);
        if (wfm) timeOff.add(id);
      }
      kick();
    },
    requestTimeOff(agentIds) {
      if (closed) return;
      for (const id of agentIds) timeOff.add(id);
      kick();
    },
    forget(agentId) {
      timeOff.delete(agentId);
      timeOffReader.forget(agentId);
    },
    idle() {
      if (!worker && pending.size === 0 && timeOff.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      for (const t of retryTimers) clock.clearTimeout(t);
      retryTimers.clear();
      pending.clear();
      timeOff.clear();
      await worker;
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
  };
}
