import type { Logger } from 'pino';
import type { GenesysApi } from './api.js';
import { type Clock, systemClock } from './clock.js';
import { GenesysError } from './errors.js';
import { type ChannelSlot, createChannelSlot, type SlotStats } from './pool/channel-slot.js';
import { createFrameRouter, type DecodeFailure, type EventContext } from './pool/frame-router.js';
import { createListenerSet } from './pool/listeners.js';
import { createReconciler } from './pool/reconciler.js';
import { watchTokenRenewals } from './pool/token-handover.js';
import { SOCKET_DEFAULTS } from './pool/channel-socket.js';
import type { GapNotice, GapReason, SlotTimings } from './pool/types.js';
import { createUnitRegistry } from './pool/unit-registry.js';
import { createWfmGating } from './pool/wfm-gating.js';
import type { GenesysEvent } from './schemas/events.js';
import {
  type AgentTopicOptions,
  agentUnit,
  managementUnitUnit,
  queueUnit,
  type SubscriptionUnit,
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

export type { DecodeFailure, EventContext } from './pool/frame-router.js';

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
   * Replaces the agent set. Agents already subscribed stay on their channel. Rejects with GENESYS_CAPACITY_EXCEEDED
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

/**
 * Wires the pool: the wanted units (unit registry), WFM gating, the reconciler that makes the channels match,
 * the frame router (decoding, handover dedupe), gap notices and the token-renewal handover. Each of those jobs
 * lives in its own file under `pool/`.
 */
export function createChannelPool(deps: CreateChannelPoolDeps): ChannelPool {
  const o = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: 'channel-pool' });
  const maxChannels = Math.min(PLATFORM_MAX_CHANNELS, o.maxChannels ?? PLATFORM_MAX_CHANNELS);
  const maxTopics = Math.min(PLATFORM_MAX_TOPICS, o.maxTopicsPerChannel ?? PLATFORM_MAX_TOPICS);
  if (!(maxChannels >= 1) || !(maxTopics >= 1)) {
    throw new GenesysError(
      'GENESYS_INVALID_OPTIONS',
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

  const events = createListenerSet<[GenesysEvent, EventContext]>(log, 'event listener failed');
  const decodeErrors = createListenerSet<[DecodeFailure, EventContext]>(log);
  const gaps = createListenerSet<[GapNotice]>(log);
  const wfmDisabled = createListenerSet<[readonly string[], readonly string[]]>(log);
  const units = createUnitRegistry();
  const wfm = createWfmGating({
    units,
    log,
    onDisabled: (agentIds, muIds) => wfmDisabled.emit(agentIds, muIds),
  });
  const counters = { events: 0, duplicatesDropped: 0, decodeErrors: 0, gaps: 0 };
  const slots: ChannelSlot[] = [];
  let unplaced: readonly string[] = [];
  let nextSlot = 1;
  let started = false;
  let closed = false;

  const onGap = (slot: ChannelSlot, keys: readonly string[], reason: GapReason) => {
    if (keys.length === 0) return;
    counters.gaps++;
    const channelId = slot.channelId();
    gaps.emit({
      reason,
      agentIds: units.idsOf(keys, 'agent'),
      managementUnitIds: units.idsOf(keys, 'managementUnit'),
      queueIds: units.idsOf(keys, 'queue'),
      ...(channelId === undefined ? {} : { channelId }),
    });
  };

  const onFrame = createFrameRouter({ clock, log, counters, events, decodeErrors });

  const newSlot = (): ChannelSlot =>
    createChannelSlot({
      id: `slot-${nextSlot++}`,
      api: deps.api.notifications,
      clock,
      random,
      logger: log,
      timings,
      hooks: {
        topicsFor: (keys) => units.topicsFor(keys, wfm.isOn),
        onFrame,
        onGap,
        onSubscribed: (_slot, result) => wfm.onSubscribed(result),
        onForbidden: (_slot, keys) => wfm.onForbidden(keys),
        canAddChannel: () => slots.length < maxChannels,
      },
    });

  const reconcile = createReconciler({
    units,
    wfm,
    slots,
    newSlot,
    maxChannels,
    maxTopics,
    log,
    started: () => started,
    closed: () => closed,
    onUnplaced: (keys) => {
      unplaced = keys;
    },
  });

  const setKind = (kind: SubscriptionUnit['kind'], next: SubscriptionUnit[]) => {
    units.replaceKind(kind, next);
    return reconcile();
  };
  const agentsOf = (ids: readonly string[]) => ids.map((id) => agentUnit(id, o.topics));

  const unsubscribeRenewal = watchTokenRenewals({
    api: deps.api,
    log,
    slots: () => slots,
    active: () => started && !closed && o.replaceChannelsOnTokenRenewal !== false,
  });

  return {
    async start() {
      if (closed) throw new GenesysError('GENESYS_CLOSED', 'channel pool closed');
      if (started) return;
      started = true;
      await reconcile();
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribeRenewal();
      for (const s of slots.splice(0)) s.close();
      events.clear();
      decodeErrors.clear();
      gaps.clear();
      wfmDisabled.clear();
    },
    setAgents: (ids) => setKind('agent', agentsOf(ids)),
    addAgents(ids) {
      units.add(agentsOf(ids));
      return reconcile();
    },
    removeAgents(ids) {
      const keys = agentsOf(ids).map((u) => u.key);
      units.remove(keys);
      for (const k of keys) wfm.forget(k);
      return reconcile();
    },
    setManagementUnits: (ids) =>
      setKind(
        'managementUnit',
        ids.map((id) => managementUnitUnit(id, o.topics)),
      ),
    setQueues: (ids) => setKind('queue', ids.map(queueUnit)),
    onEvent: (l) => events.add(l),
    onDecodeError: (l) => decodeErrors.add(l),
    onGap: (l) => gaps.add(l),
    onWfmDisabled: (l) => wfmDisabled.add(l),
    stats: () => ({
      started,
      agents: units.idsOf(units.keys(), 'agent').length,
      unplacedAgentIds: units.idsOf(unplaced, 'agent'),
      wfmDisabledAgents: units.idsOf(wfm.disabledKeys(), 'agent').length,
      ...counters,
      channels: slots.map((s) => s.stats()),
    }),
  };
}
