import type { Logger } from 'pino';
import type { NotificationChannel, NotificationsApi, SubscriptionResult } from '../api-notifications.js';
import { backoffDelay } from '../backoff.js';
import { type Clock, sleep } from '../clock.js';
import { GenesysError, isGenesysError } from '../errors.js';
import { topicUnitKey } from '../topics.js';
import { type ChannelSocket, openChannelSocket, type SocketCloseCause } from './channel-socket.js';
import type { GapReason, SlotTimings } from './types.js';
import { channelRef } from './channel-ref.js';

/** What a slot needs from its pool. */
export interface SlotHooks {
  /** Desired topics of these units (WFM topics left out for units whose WFM is disabled). */
  topicsFor(units: Iterable<string>): string[];
  onFrame(slot: ChannelSlot, text: string): void;
  onGap(slot: ChannelSlot, units: readonly string[], reason: GapReason): void;
  /** Inspect Rejected topics (drops WFM for their units). */
  onSubscribed(slot: ChannelSlot, result: SubscriptionResult): void;
  /** A subscribe call got 403: disable WFM for these units. Returns false if none had WFM topics (no retry). */
  onForbidden(slot: ChannelSlot, units: readonly string[]): boolean;
  /** Whether one more channel may be created now without exceeding the per-client cap. */
  canAddChannel(): boolean;
}

export interface SlotDeps {
  readonly id: string;
  readonly api: NotificationsApi;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly timings: SlotTimings;
  readonly hooks: SlotHooks;
}

interface Conn {
  sock?: ChannelSocket;
  lost: boolean;
}

export interface SlotStats {
  readonly id: string;
  readonly channelId?: string;
  readonly connected: boolean;
  readonly units: number;
  readonly expiresAt?: number;
  readonly reconnects: number;
  readonly handovers: number;
}

/**
 * One logical notification channel: the Genesys channel behind it may be replaced (expiry, socket_closing, token
 * renewal) while its units stay put. Operations on a slot run one at a time.
 */
export interface ChannelSlot {
  readonly id: string;
  readonly units: ReadonlySet<string>;
  /** Non-undefined while a replacement socket overlaps the old one: correlation ids seen, for de-duplication. */
  dedupe: Set<string> | undefined;
  channelId(): string | undefined;
  /** Creates the channel, subscribes, connects; emits a `start` gap. Failures fall back to background retries. */
  start(): Promise<void>;
  addUnits(keys: readonly string[]): Promise<void>;
  removeUnits(keys: readonly string[]): Promise<void>;
  /** Gap-free replacement (new channel + same topics + socket, then drop the old), else in-place reconnect. */
  handover(reason: GapReason): Promise<void>;
  stats(): SlotStats;
  /** Closes the socket and timers. Idempotent. */
  close(): void;
}

export function createChannelSlot(deps: SlotDeps): ChannelSlot {
  const { api, clock, timings, hooks } = deps;
  const log = deps.logger.child({ slot: deps.id });
  const units = new Set<string>();
  let channel: NotificationChannel | undefined;
  let current: Conn | undefined;
  let connectedOnce = false;
  let expiryTimer: unknown;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  const counters = { reconnects: 0, handovers: 0 };

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(() =>
      closed ? Promise.reject(new GenesysError('GENESYS_CLOSED', 'slot closed')) : fn(),
    );
    chain = p.catch(() => undefined);
    return p;
  };

  const subscribe = async (channelId: string, keys: readonly string[], mode: 'put' | 'post') => {
    const send = (topics: string[]) =>
      mode === 'put' ? api.putSubscriptions(channelId, topics) : api.postSubscriptions(channelId, topics);
    let topics = hooks.topicsFor(keys);
    if (topics.length === 0 && mode === 'post') return;
    try {
      hooks.onSubscribed(slot, await send(topics));
    } catch (e) {
      if (!isGenesysError(e, 'GENESYS_FORBIDDEN') || !hooks.onForbidden(slot, keys)) throw e;
      topics = hooks.topicsFor(keys);
      if (topics.length === 0 && mode === 'post') return;
      hooks.onSubscribed(slot, await send(topics));
    }
  };

  const openConn = async (ch: NotificationChannel): Promise<Conn> => {
    const conn: Conn = { lost: false };
    conn.sock = await openChannelSocket({
      url: ch.connectUri,
      clock,
      logger: log,
      pingIntervalMs: timings.pingIntervalMs,
      watchdogTimeoutMs: timings.watchdogTimeoutMs,
      connectTimeoutMs: timings.connectTimeoutMs,
      onFrame: (text) => hooks.onFrame(slot, text),
      onClose: (cause) => {
        conn.lost = true;
        if (current === conn && !closed) {
          log.warn({ channel: channelRef(channel?.id), cause }, 'socket lost');
          reconnectLater(cause);
        }
      },
    });
    return conn;
  };

  const scheduleExpiry = () => {
    if (expiryTimer !== undefined) clock.clearTimeout(expiryTimer);
    expiryTimer = undefined;
    if (closed || channel?.expiresAt === undefined) return;
    const delay = Math.max(1_000, channel.expiresAt - timings.renewBeforeExpiryMs - clock.now());
    expiryTimer = clock.setTimeout(() => {
      expiryTimer = undefined;
      void renewExpiry().catch((err: unknown) => log.warn({ err }, 'channel renewal failed'));
    }, delay);
  };

  const establishNew = async () => {
    const ch = await api.createChannel();
    await subscribe(ch.id, [...units], 'put');
    // Only a subscribed channel is worth reconnecting to.
    channel = ch;
    const conn = await openConn(ch);
    current = conn;
    scheduleExpiry();
    return conn;
  };

  const reconnect = (cause: SocketCloseCause | 'start-failed') =>
    serial(async () => {
      for (let attempt = 1; !closed; attempt++) {
        if (current !== undefined && !current.lost) return;
        try {
          let reason: GapReason = connectedOnce ? 'reconnect' : 'start';
          let conn: Conn;
          if (channel === undefined || !(await api.channelExists(channel.id))) {
            if (channel !== undefined) reason = 'expiry';
            conn = await establishNew();
          } else {
            conn = await openConn(channel);
            current = conn;
          }
          if (conn.lost) continue;
          connectedOnce = true;
          counters.reconnects++;
          log.info({ channel: channelRef(channel?.id), cause, reason, attempt }, 'channel reconnected');
          hooks.onGap(slot, [...units], reason);
          return;
        } catch (err) {
          const wait = backoffDelay(attempt, timings.reconnectBackoff, deps.random());
          log.warn({ err, attempt, waitMs: wait }, 'reconnect attempt failed');
          await sleep(clock, wait);
        }
      }
    });

  const reconnectLater = (cause: SocketCloseCause | 'start-failed') => {
    reconnect(cause).catch((err: unknown) => {
      if (!isGenesysError(err, 'GENESYS_CLOSED')) log.error({ err }, 'reconnect loop failed');
    });
  };

  const handoverNow = async (reason: GapReason) => {
    const prev = current;
    const prevChannel = channel;
    if (prevChannel === undefined || prev === undefined || prev.lost) {
      // Nothing healthy to hand over from: plain reconnect (it emits its own gap).
      current = undefined;
      prev?.sock?.close();
      reconnectLater('remote');
      return;
    }
    if (!hooks.canAddChannel()) {
      // No spare channel: a new socket on the same channel replaces the old one server-side. Events in flight
      // during the swap may be lost, so the agents get a gap for safety.
      current = undefined;
      let conn: Conn;
      try {
        conn = await openConn(prevChannel);
      } catch (err) {
        prev.sock?.close();
        reconnectLater('error');
        throw err;
      }
      current = conn;
      prev.sock?.close();
      if (conn.lost) reconnectLater('remote');
      hooks.onGap(slot, [...units], reason);
      return;
    }
    slot.dedupe = new Set();
    try {
      const ch = await api.createChannel();
      await subscribe(ch.id, [...units], 'put');
      const conn = await openConn(ch);
      // Both sockets are live now; switch, then let the old one drain.
      current = conn;
      channel = ch;
      counters.handovers++;
      scheduleExpiry();
      const missed = prev.lost;
      log.info(
        { from: channelRef(prevChannel.id), to: channelRef(ch.id), reason, missed },
        'channel replaced',
      );
      clock.setTimeout(() => {
        prev.sock?.close();
        slot.dedupe = undefined;
        api.deleteSubscriptions(prevChannel.id).catch(() => undefined);
      }, timings.handoverDrainMs);
      if (missed) hooks.onGap(slot, [...units], reason);
    } catch (err) {
      slot.dedupe = undefined;
      throw err;
    }
  };

  const renewExpiry = () =>
    serial(async () => {
      if (channel === undefined || current === undefined) return;
      if (timings.channelRenewal === 'replace') return handoverNow('expiry');
      const before = channel.expiresAt ?? 0;
      await subscribe(channel.id, [...units], 'put');
      const listed = (await api.listChannels()).find((c) => c.id === channel?.id);
      if (listed?.expiresAt !== undefined && listed.expiresAt > before) {
        channel = { ...channel, expiresAt: listed.expiresAt };
        log.info(
          { channel: channelRef(channel.id), expiresAt: listed.expiresAt },
          'channel extended by resubscribing',
        );
        scheduleExpiry();
        return;
      }
      log.warn({ channel: channelRef(channel.id) }, 'resubscribing did not extend the channel; replacing it');
      return handoverNow('expiry');
    });

  const slot: ChannelSlot = {
    id: deps.id,
    units,
    dedupe: undefined,
    channelId: () => channel?.id,
    start: () =>
      serial(async () => {
        try {
          await establishNew();
          connectedOnce = true;
          hooks.onGap(slot, [...units], 'start');
        } catch (err) {
          log.warn({ err }, 'channel start failed; retrying in the background');
          current = undefined;
          reconnectLater('start-failed');
        }
      }),
    addUnits: (keys) =>
      serial(async () => {
        for (const k of keys) units.add(k);
        if (channel === undefined) return; // establishing a channel subscribes every unit
        await subscribe(channel.id, keys, 'post');
        hooks.onGap(slot, keys, 'start');
      }),
    removeUnits: (keys) =>
      serial(async () => {
        const gone = new Set(keys);
        for (const k of keys) units.delete(k);
        if (channel === undefined) return;
        // No per-topic DELETE exists: read the list and put it back without the units' topics.
        const { permitted } = await api.getSubscriptions(channel.id);
        const keep = permitted.filter((t) => {
          const owner = topicUnitKey(t);
          return owner === undefined || !gone.has(owner);
        });
        if (keep.length === 0) await api.deleteSubscriptions(channel.id);
        else if (keep.length !== permitted.length) await api.putSubscriptions(channel.id, keep);
      }),
    handover: (reason) => serial(() => handoverNow(reason)),
    stats: () => ({
      id: deps.id,
      ...(channel === undefined ? {} : { channelId: channel.id }),
      connected: current?.sock?.isOpen() ?? false,
      units: units.size,
      ...(channel?.expiresAt === undefined ? {} : { expiresAt: channel.expiresAt }),
      ...counters,
    }),
    close() {
      if (closed) return;
      closed = true;
      if (expiryTimer !== undefined) clock.clearTimeout(expiryTimer);
      current?.sock?.close();
      current = undefined;
    },
  };
  return slot;
}
