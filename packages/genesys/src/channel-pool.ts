import type { Logger } from 'pino';
import type { GenesysApi } from './api.js';
import type { SubscriptionResult } from './api-notifications.js';
import { type Clock, systemClock } from './clock.js';
import { GenesysError } from './errors.js';
import { type ChannelSlot, createChannelSlot, type SlotStats } from './pool/channel-slot.js';
import { SOCKET_DEFAULTS } from './pool/channel-socket.js';
import { planShards } from './pool/shard-planner.js';
import type { GapNotice, GapReason, SlotTimings } from './pool/types.js';
import { decodeNotification } from './schemas/decode.js';
import type { DecodeResult, GenesysEvent } from './schemas/events.js';
import {
  type AgentTopicOptions,
  agentUnit,
  isWfmTopic,
  managementUnitUnit,
  queueUnit,
  type SubscriptionUnit,
  topicUnitKey,
  unitTopicCount,
} from './topics.js';

/** The platform's caps (reference §2.3). */
const PLATFORM_MAX_CHANNELS = 20;
const PLATFORM_MAX_TOPICS = 1_000;

export interface ChannelPoolOptions extends Partial<SlotTimings> {
  /** Channels this pool may use for its OAuth client; default 20, never above 20. */
  readonly maxChannels?: number;
  /** Topics per channel; default 1,000, never above 1,000. */
  readonly maxTopicsPerChannel?: number;
  readonly topics?: AgentTopicOptions;
  /** After a token renewal, move every channel to a new one created with the new token. Default true. */
  readonly replaceChannelsOnTokenRenewal?: boolean;
}

export interface EventContext {
  readonly channelId?: string;
  readonly receivedAt: number;
}

export type DecodeFailure = Extract<DecodeResult, { ok: false }>;

export interface ChannelPoolStats {
  readonly started: boolean;
  readonly agents: number;
  readonly unplacedAgentIds: readonly string[];
  readonly wfmDisabledAgents: number;
  readonly events: number;
  readonly duplicatesDropped: number;
  readonly decodeErrors: number;
  readonly gaps: number;
  readonly channels: readonly SlotStats[];
}

/** Keeps notification channels subscribed for a set of agents and turns their frames into decoded events. */
export interface ChannelPool {
  /** Creates channels for the current units, subscribes and connects; emits `start` gaps. */
  start(): Promise<void>;
  /** Closes every socket and timer. Idempotent. */
  close(): Promise<void>;
  /**
   * Replaces the agent set. Agents already subscribed stay on their channel. Rejects with CAPACITY_EXCEEDED
   * (`details.agentIds`) for agents that fit on no channel; all others are applied.
   */
  setAgents(agentIds: readonly string[]): Promise<void>;
  addAgents(agentIds: readonly string[]): Promise<void>;
  removeAgents(agentIds: readonly string[]): Promise<void>;
  setManagementUnits(muIds: readonly string[]): Promise<void>;
  setQueues(queueIds: readonly string[]): Promise<void>;
  onEvent(listener: (event: GenesysEvent, ctx: EventContext) => void): () => void;
  onDecodeError(listener: (failure: DecodeFailure, ctx: EventContext) => void): () => void;
  onGap(listener: (gap: GapNotice) => void): () => void;
  onWfmDisabled(
    listener: (agentIds: readonly string[], managementUnitIds: readonly string[]) => void,
  ): () => void;
  stats(): ChannelPoolStats;
}

export interface CreateChannelPoolDeps {
  readonly api: Pick<GenesysApi, 'notifications' | 'onTokenRenewed'>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly options?: ChannelPoolOptions;
}

function emit<A extends unknown[]>(set: Set<(...a: A) => void>, log: Logger, ...args: A) {
  for (const l of set) {
    try {
      l(...args);
    } catch (err) {
      log.error({ err }, 'listener failed');
    }
  }
}

function subscribe<T>(set: Set<T>, l: T): () => void {
  set.add(l);
  return () => set.delete(l);
}

export function createChannelPool(deps: CreateChannelPoolDeps): ChannelPool {
  const o = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: 'channel-pool' });
  const maxChannels = Math.min(PLATFORM_MAX_CHANNELS, o.maxChannels ?? PLATFORM_MAX_CHANNELS);
  const maxTopics = Math.min(PLATFORM_MAX_TOPICS, o.maxTopicsPerChannel ?? PLATFORM_MAX_TOPICS);
  if (!(maxChannels >= 1) || !(maxTopics >= 1)) {
    throw new GenesysError(
      'INVALID_OPTIONS',
      'channel pool: maxChannels and maxTopicsPerChannel must be >= 1',
    );
  }
  const pingIntervalMs = o.pingIntervalMs ?? SOCKET_DEFAULTS.pingIntervalMs;
  const timings: SlotTimings = {
    pingIntervalMs,
    watchdogTimeoutMs: o.watchdogTimeoutMs ?? SOCKET_DEFAULTS.watchdogTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    renewBeforeExpiryMs: o.renewBeforeExpiryMs ?? 3_600_000,
    channelRenewal: o.channelRenewal ?? 'resubscribe',
    handoverDrainMs: o.handoverDrainMs ?? 2_000,
    reconnectBackoff: o.reconnectBackoff ?? { baseMs: 500, maxMs: 30_000 },
  };

  const units = new Map<string, SubscriptionUnit>();
  const wfmDisabled = new Set<string>();
  let wfmWarned = false;
  let unplaced: string[] = [];
  const slots: ChannelSlot[] = [];
  let nextSlot = 1;
  let started = false;
  let closed = false;
  let reconcileChain: Promise<unknown> = Promise.resolve();
  const counters = { events: 0, duplicatesDropped: 0, decodeErrors: 0, gaps: 0 };
  const eventListeners = new Set<(e: GenesysEvent, ctx: EventContext) => void>();
  const decodeListeners = new Set<(f: DecodeFailure, ctx: EventContext) => void>();
  const gapListeners = new Set<(g: GapNotice) => void>();
  const wfmListeners = new Set<(agentIds: readonly string[], muIds: readonly string[]) => void>();

  const topicsFor = (keys: Iterable<string>): string[] => {
    const out: string[] = [];
    for (const k of keys) {
      const u = units.get(k);
      if (u === undefined) continue;
      out.push(...u.core);
      if (!wfmDisabled.has(k)) out.push(...u.wfm);
    }
    return out;
  };

  const idsOf = (keys: Iterable<string>, kind: SubscriptionUnit['kind']): string[] => {
    const out: string[] = [];
    for (const k of keys) {
      const u = units.get(k);
      if (u?.kind === kind) out.push(u.id);
    }
    return out;
  };

  const disableWfm = (keys: Iterable<string>) => {
    const fresh = [...keys].filter((k) => !wfmDisabled.has(k) && (units.get(k)?.wfm.length ?? 0) > 0);
    if (fresh.length === 0) return;
    for (const k of fresh) wfmDisabled.add(k);
    const agentIds = idsOf(fresh, 'agent');
    const muIds = idsOf(fresh, 'managementUnit');
    if (!wfmWarned) {
      wfmWarned = true;
      // Info, not warn: the pool reports through onWfmDisabled and the application owns the one warning.
      log.info(
        { agents: agentIds.length, managementUnits: muIds.length },
        'WFM topics rejected: continuing without WFM for these agents',
      );
    } else {
      log.debug({ agents: agentIds.length, managementUnits: muIds.length }, 'WFM topics rejected');
    }
    emit(wfmListeners, log, agentIds, muIds);
  };

  const onSubscribed = (_slot: ChannelSlot, result: SubscriptionResult) => {
    if (result.rejected.length === 0) return;
    const wfmKeys: string[] = [];
    for (const r of result.rejected) {
      const key = topicUnitKey(r.topic);
      if (isWfmTopic(r.topic) && key !== undefined) wfmKeys.push(key);
      else log.warn({ topic: r.topic, reason: r.reason }, 'topic rejected');
    }
    disableWfm(wfmKeys);
  };

  const handleFrame = (slot: ChannelSlot, text: string) => {
    const r = decodeNotification(text);
    const ctx: EventContext = { receivedAt: clock.now(), channelId: slot.channelId() };
    if (!r.ok) {
      counters.decodeErrors++;
      emit(decodeListeners, log, r, ctx);
      return;
    }
    const ev = r.event;
    if (ev.kind === 'channelMetadata') return; // liveness only; the socket watchdog already saw the frame
    if (ev.kind === 'socketClosing') {
      log.info(
        { slot: slot.id, channelId: slot.channelId() },
        'socket_closing received; replacing the channel',
      );
      slot.handover('rollover').catch((err: unknown) => log.warn({ err, slot: slot.id }, 'handover failed'));
      return;
    }
    const seen = slot.dedupe;
    if (seen !== undefined && ev.correlationId !== undefined) {
      if (seen.has(ev.correlationId)) {
        counters.duplicatesDropped++;
        return;
      }
      seen.add(ev.correlationId);
    }
    counters.events++;
    for (const l of eventListeners) {
      try {
        l(ev, ctx);
      } catch (err) {
        log.error({ err }, 'event listener failed');
      }
    }
  };

  const onGap = (slot: ChannelSlot, keys: readonly string[], reason: GapReason) => {
    if (keys.length === 0) return;
    counters.gaps++;
    const channelId = slot.channelId();
    emit(gapListeners, log, {
      reason,
      agentIds: idsOf(keys, 'agent'),
      managementUnitIds: idsOf(keys, 'managementUnit'),
      queueIds: idsOf(keys, 'queue'),
      ...(channelId === undefined ? {} : { channelId }),
    });
  };

  const newSlot = (): ChannelSlot =>
    createChannelSlot({
      id: `slot-${nextSlot++}`,
      api: deps.api.notifications,
      clock,
      random,
      logger: log,
      timings,
      hooks: {
        topicsFor,
        onFrame: handleFrame,
        onGap,
        onSubscribed,
        onForbidden: (_slot, keys) => {
          const withWfm = keys.filter((k) => !wfmDisabled.has(k) && (units.get(k)?.wfm.length ?? 0) > 0);
          disableWfm(withWfm);
          return withWfm.length > 0;
        },
        canAddChannel: () => slots.length < maxChannels,
      },
    });

  /** Applies the desired unit set to the channels. Runs one at a time. */
  const reconcile = () => {
    const run = async () => {
      if (closed) throw new GenesysError('CLOSED', 'channel pool closed');
      const counts = new Map<string, number>();
      for (const [k, u] of units) counts.set(k, unitTopicCount(u, !wfmDisabled.has(k)));
      const plan = planShards({
        channels: slots.map((s) => ({ id: s.id, units: [...s.units] })),
        topicCounts: counts,
        maxTopicsPerChannel: maxTopics,
        maxChannels,
      });
      unplaced = [...plan.unplaced];
      if (started) {
        const work: Promise<void>[] = [];
        for (const slot of [...slots]) {
          const want = new Set(plan.channels.get(slot.id) ?? []);
          const removed = [...slot.units].filter((k) => !want.has(k));
          const added = [...want].filter((k) => !slot.units.has(k));
          if (want.size === 0) {
            slot.close();
            slots.splice(slots.indexOf(slot), 1);
            continue;
          }
          work.push(
            (async () => {
              if (removed.length > 0) await slot.removeUnits(removed);
              if (added.length > 0) await slot.addUnits(added);
            })(),
          );
        }
        for (const keys of plan.newChannels) {
          const slot = newSlot();
          slots.push(slot);
          work.push(slot.addUnits(keys).then(() => slot.start()));
        }
        const results = await Promise.allSettled(work);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
      if (plan.unplaced.length > 0) {
        const agentIds = idsOf(plan.unplaced, 'agent');
        log.error(
          { unplaced: plan.unplaced.length, maxChannels, maxTopics },
          'subscription capacity exceeded',
        );
        throw new GenesysError(
          'CAPACITY_EXCEEDED',
          `${plan.unplaced.length} subscription units do not fit in ${maxChannels} channels of ${maxTopics} topics`,
          { agentIds },
        );
      }
    };
    const p = reconcileChain.then(run);
    reconcileChain = p.catch(() => undefined);
    return p;
  };

  const setKind = (kind: SubscriptionUnit['kind'], next: SubscriptionUnit[]) => {
    for (const [k, u] of units) if (u.kind === kind) units.delete(k);
    for (const u of next) units.set(u.key, u);
    return reconcile();
  };
  const agentsOf = (ids: readonly string[]) => ids.map((id) => agentUnit(id, o.topics));

  const unsubscribeRenewal = deps.api.onTokenRenewed((info) => {
    if (!started || closed || info.reason === 'start' || o.replaceChannelsOnTokenRenewal === false) return;
    void (async () => {
      for (const slot of [...slots]) {
        try {
          await slot.handover('token-renewal');
        } catch (err) {
          log.warn({ err, slot: slot.id }, 'moving the channel to the new token failed');
        }
      }
    })();
  });

  return {
    async start() {
      if (closed) throw new GenesysError('CLOSED', 'channel pool closed');
      if (started) return;
      started = true;
      await reconcile();
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribeRenewal();
      for (const s of slots.splice(0)) s.close();
      eventListeners.clear();
      decodeListeners.clear();
      gapListeners.clear();
      wfmListeners.clear();
    },
    setAgents: (ids) => setKind('agent', agentsOf(ids)),
    addAgents(ids) {
      for (const u of agentsOf(ids)) units.set(u.key, u);
      return reconcile();
    },
    removeAgents(ids) {
      for (const u of agentsOf(ids)) {
        units.delete(u.key);
        wfmDisabled.delete(u.key);
      }
      return reconcile();
    },
    setManagementUnits: (ids) =>
      setKind(
        'managementUnit',
        ids.map((id) => managementUnitUnit(id, o.topics)),
      ),
    setQueues: (ids) => setKind('queue', ids.map(queueUnit)),
    onEvent: (l) => subscribe(eventListeners, l),
    onDecodeError: (l) => subscribe(decodeListeners, l),
    onGap: (l) => subscribe(gapListeners, l),
    onWfmDisabled: (l) => subscribe(wfmListeners, l),
    stats: () => ({
      started,
      agents: idsOf(units.keys(), 'agent').length,
      unplacedAgentIds: idsOf(unplaced, 'agent'),
      wfmDisabledAgents: idsOf(wfmDisabled, 'agent').length,
      ...counters,
      channels: slots.map((s) => s.stats()),
    }),
  };
}
