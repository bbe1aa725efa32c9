import { randomBytes, randomInt } from 'node:crypto';

/** One permitted subscription of a channel. */
export interface Subscription {
  /** The topic as the client wrote it (combined form kept). */
  readonly id: string;
  /** Lower-cased concrete topic names it delivers. */
  readonly expanded: readonly string[];
}

/** The live socket of a channel, as the socket hub sees it. */
export interface ChannelConnection {
  /** Ends the connection; `silent` ends it without a close frame. */
  end(code: number, reason: string): void;
  readonly silent: boolean;
}

export interface Channel {
  readonly id: string;
  readonly clientId: string;
  /** The access token that created the channel (for `includechannels=token`). Never logged. */
  readonly token: string;
  /** Wire-clock instant (ms) the channel stops working unless resubscribed. */
  expiresAt: number;
  /** Monotonic use counter; the smallest is the "oldest last used" (reference §2.3). */
  lastUsed: number;
  /** Keyed by lower-cased topic id. */
  readonly subscriptions: Map<string, Subscription>;
  connection: ChannelConnection | undefined;
}

export type RemovalReason = 'expired' | 'evicted';

export interface ChannelRegistry {
  /** Creates a channel for a client, evicting one if the client already has `maxPerClient`. */
  create(clientId: string, token: string): { channel: Channel; evicted: Channel | undefined };
  /** A live (unexpired) channel, or undefined. Expired channels found here are removed first. */
  get(id: string): Channel | undefined;
  all(): Iterable<Channel>;
  forClient(clientId: string): Channel[];
  /** Marks a channel used now (REST call on it or socket connect). */
  touch(channel: Channel): void;
  /** Replaces a channel's subscriptions and re-indexes them. */
  setSubscriptions(channel: Channel, subs: readonly Subscription[]): void;
  /** Moves the expiry forward to wire-now + ttl (resubscription, reference §2.3). */
  extend(channel: Channel): void;
  /** Removes a channel now (expiry or eviction), telling removal listeners. Idempotent. */
  remove(channel: Channel, reason: RemovalReason): void;
  /** Removes every channel whose expiry has passed; returns how many. */
  sweep(): number;
  /** The hot path: channels subscribed to a lower-cased concrete topic. */
  subscribers(lowerTopic: string): ReadonlySet<Channel> | undefined;
  onRemove(listener: (channel: Channel, reason: RemovalReason) => void): void;
  size(): number;
}

export interface ChannelRegistryOptions {
  /** Wire clock (the world's `now()`), since `expires` is a wire instant. */
  readonly now: () => number;
  readonly ttlMs: number;
  readonly maxPerClient: number;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A channel id shaped like the platform's: `streaming-<n>-<26 lower-alnum>` (reference §2.2). */
export function newChannelId(): string {
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return `streaming-${randomInt(0, 10)}-${s}`;
}

/** Creates the in-memory registry of notification channels and the topic → channels index. */
export function createChannelRegistry(opts: ChannelRegistryOptions): ChannelRegistry {
  const channels = new Map<string, Channel>();
  const index = new Map<string, Set<Channel>>();
  const listeners: Array<(channel: Channel, reason: RemovalReason) => void> = [];
  let useSeq = 0;

  const unindex = (channel: Channel) => {
    for (const sub of channel.subscriptions.values()) {
      for (const t of sub.expanded) {
        const set = index.get(t);
        if (!set) continue;
        set.delete(channel);
        if (set.size === 0) index.delete(t);
      }
    }
  };
  const reindex = (channel: Channel) => {
    for (const sub of channel.subscriptions.values()) {
      for (const t of sub.expanded) {
        let set = index.get(t);
        if (!set) {
          set = new Set();
          index.set(t, set);
        }
        set.add(channel);
      }
    }
  };

  const registry: ChannelRegistry = {
    create(clientId, token) {
      const mine = registry.forClient(clientId);
      let evicted: Channel | undefined;
      if (mine.length >= opts.maxPerClient) {
        // Unconnected channels go first, then the oldest last used (reference §2.3).
        mine.sort((a, b) => Number(!!a.connection) - Number(!!b.connection) || a.lastUsed - b.lastUsed);
        evicted = mine[0];
        if (evicted) registry.remove(evicted, 'evicted');
      }
      let id = newChannelId();
      while (channels.has(id)) id = newChannelId();
      const channel: Channel = {
        id,
        clientId,
        token,
        expiresAt: opts.now() + opts.ttlMs,
        lastUsed: ++useSeq,
        subscriptions: new Map(),
        connection: undefined,
      };
      channels.set(id, channel);
      return { channel, evicted };
    },
    get(id) {
      const channel = channels.get(id);
      if (!channel) return undefined;
      if (channel.expiresAt <= opts.now()) {
        registry.remove(channel, 'expired');
        return undefined;
      }
      return channel;
    },
    all() {
      return channels.values();
    },
    forClient(clientId) {
      return [...channels.values()].filter((c) => c.clientId === clientId);
    },
    touch(channel) {
      channel.lastUsed = ++useSeq;
    },
    setSubscriptions(channel, subs) {
      unindex(channel);
      channel.subscriptions.clear();
      for (const s of subs) channel.subscriptions.set(s.id.toLowerCase(), s);
      reindex(channel);
    },
    extend(channel) {
      channel.expiresAt = opts.now() + opts.ttlMs;
    },
    remove(channel, reason) {
      if (channels.get(channel.id) !== channel) return;
      channels.delete(channel.id);
      unindex(channel);
      for (const l of listeners) l(channel, reason);
    },
    sweep() {
      const now = opts.now();
      let n = 0;
      for (const c of [...channels.values()]) {
        if (c.expiresAt <= now) {
          registry.remove(c, 'expired');
          n++;
        }
      }
      return n;
    },
    subscribers(lowerTopic) {
      return index.get(lowerTopic);
    },
    onRemove(listener) {
      listeners.push(listener);
    },
    size() {
      return channels.size;
    },
  };
  return registry;
}
