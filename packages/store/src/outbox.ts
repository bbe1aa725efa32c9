import { decodePendingLines, encodeJson, requireCount, requirePositive } from './codec.js';
import { InvalidInputError } from './errors.js';
import { type Keys, validateId } from './keys.js';
import { parseStreamEntries } from './outbox-entries.js';
import { defineScripts, expectInt, type RedisClient } from './scripts.js';
import type { OutboxMessage } from './types.js';

export interface OutboxOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Consumer group name used by `ensureGroup`, `readGroup`, `ack` and `claimStale`. */
  readonly group: string;
  /**
   * Entries each outbox stream keeps at least (the most recent ones, read or not, for replays). Beyond it, the
   * publish script trims only entries that EVERY consumer group has acknowledged. Default 100 000.
   */
  readonly maxLen?: number;
  /** How many recent entry ids each shard remembers to make relays idempotent. Default 100 000. */
  readonly dedupeWindow?: number;
  /** Entries per publish script call, to keep each script short. Default 500. */
  readonly publishChunk?: number;
  /**
   * Connection for `readGroup` when it blocks. A blocking read holds its connection, so give it a
   * dedicated client (e.g. `redis.duplicate()`); defaults to `redis`.
   */
  readonly readRedis?: RedisClient;
  /** Clock for the dedupe window. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Where a new consumer group starts: `new` (default) reads only entries published after it was created, `all`
 * replays every entry the stream still holds, a stream id (`<ms>-<seq>`) replays the entries after that id.
 */
export type GroupStart = 'new' | 'all' | { readonly after: string };

/** An outbox entry published directly (not relayed from an agent hash). */
export interface DirectEntry {
  /** Stable entry id: the dedupe key, and what consumers dedupe on. */
  readonly id: string;
  /** What the entry is about (an incident id): the shard and the entry's agent field. */
  readonly key: string;
  readonly version: number;
  /** Epoch ms. */
  readonly at: number;
  /** The effect, JSON-serialisable. */
  readonly body: unknown;
}

/** A page of agents that still hold unrelayed outbox entries. */
export interface UnrelayedPage {
  readonly agentIds: readonly string[];
  /** Pass back to continue; `null` when the agents index is exhausted. */
  readonly cursor: string | null;
}

/**
 * Transactional outbox. Commits queue effects in each agent's hash; the relay moves them to the sharded
 * outbox streams (idempotently, by stable entry id), and consumers read them with a consumer group.
 * Delivery is at-least-once: consumers must dedupe on `OutboxMessage.id`.
 */
export interface Outbox {
  /** Relays one agent's pending entries. Returns how many were appended (0 when already relayed). */
  relay(agentId: string): Promise<number>;
  /** Relays several agents at once: one read per agent, one publish per shard chunk, one clear per agent. */
  relayMany(agentIds: readonly string[]): Promise<number>;
  /**
   * Publishes entries that do not come from an agent hash (incident changes), idempotently by entry id like the
   * relay: `key` (e.g. the incident id) picks the shard, fills the entry's agent field and orders its entries.
   * Returns how many were appended (0 when every id was published before).
   */
  publishEntries(entries: readonly DirectEntry[]): Promise<number>;
  /** Scans the agents index for agents whose pending outbox is not empty (crash recovery). */
  findUnrelayed(page: { cursor?: string | null; count: number }): Promise<UnrelayedPage>;
  /** Scans every agent and relays whatever is pending. Returns the number of entries appended. */
  relayAllPending(pageSize?: number): Promise<number>;
  /**
   * Creates the consumer group on every shard, reading from `from` (default `new`: only what is published from
   * now on; replaying old entries is an explicit choice). Idempotent: an existing group keeps its position.
   */
  ensureGroup(from?: GroupStart): Promise<void>;
  /**
   * Reads up to `count` new messages per shard for `consumer`. `blockMs` > 0 waits that long when nothing is
   * there; 0 returns at once. `shards` defaults to all shards (on Cluster with several shards, read one
   * shard per call: the streams live in different slots).
   */
  readGroup(
    consumer: string,
    count: number,
    blockMs: number,
    shards?: readonly number[],
  ): Promise<OutboxMessage[]>;
  /** Acknowledges messages. Returns how many were still pending. */
  ack(messages: readonly Pick<OutboxMessage, 'shard' | 'streamId'>[]): Promise<number>;
  /** Takes over up to `count` messages that other consumers left unacknowledged for at least `minIdleMs`. */
  claimStale(
    consumer: string,
    minIdleMs: number,
    count: number,
    shards?: readonly number[],
  ): Promise<OutboxMessage[]>;
}

/** Creates the outbox. Registers the Lua scripts; does not own or close the clients. */
export function createOutbox(options: OutboxOptions): Outbox {
  const { redis, keys } = options;
  const group = validateId('consumer group', options.group);
  const maxLen = requirePositive('maxLen', options.maxLen ?? 100_000);
  const dedupeWindow = requirePositive('dedupeWindow', options.dedupeWindow ?? 100_000);
  const chunk = requirePositive('publishChunk', options.publishChunk ?? 500);
  const readRedis = options.readRedis ?? redis;
  const now = options.now ?? Date.now;
  defineScripts(redis);
  const allShards = Array.from({ length: keys.outboxShards }, (_, i) => i);
  const shardOfStream = new Map(allShards.map((s) => [keys.outboxStream(s), s]));

  async function relayMany(agentIds: readonly string[]): Promise<number> {
    const ids = [...new Set(agentIds.map((id) => validateId('agent id', id)))];
    const reads = await Promise.all(
      ids.map(async (agentId) => {
        const [version, pending] = await redis.hmget(keys.agent(agentId), 'v', 'pending');
        return { agentId, version: version ?? null, pending: pending ?? null };
      }),
    );
    const byShard = new Map<number, (string | number)[]>();
    const toClear: { agentId: string; version: string; pending: string }[] = [];
    for (const { agentId, version, pending } of reads) {
      if (pending === null || pending === '' || version === null) continue;
      toClear.push({ agentId, version, pending });
      const shard = keys.outboxShardOf(agentId);
      const argv = byShard.get(shard) ?? [];
      byShard.set(shard, argv);
      for (const line of decodePendingLines(agentId, pending)) {
        argv.push(line.id, agentId, line.version, line.at, line.body);
      }
    }
    const appended = await publishArgs(byShard);
    await Promise.all(
      toClear.map(async ({ agentId, version, pending }) => {
        expectInt('clear-pending', await redis.lockstepClearPending(keys.agent(agentId), version, pending));
      }),
    );
    return appended;
  }

  async function publishArgs(byShard: Map<number, (string | number)[]>): Promise<number> {
    let appended = 0;
    await Promise.all(
      [...byShard].map(async ([shard, argv]) => {
        // Chunks go out in order so each agent's entries keep their order in the stream.
        for (let i = 0; i < argv.length; i += chunk * 5) {
          const reply = await redis.lockstepPublishOutbox(
            keys.outboxStream(shard),
            keys.outboxDedupe(shard),
            maxLen,
            dedupeWindow,
            now(),
            ...argv.slice(i, i + chunk * 5),
          );
          appended += expectInt('publish-outbox', reply);
        }
      }),
    );
    return appended;
  }

  async function publishEntries(entries: readonly DirectEntry[]): Promise<number> {
    const byShard = new Map<number, (string | number)[]>();
    for (const e of entries) {
      const id = validateId('entry id', e.id);
      const key = validateId('entry key', e.key);
      requireCount('version', e.version);
      if (!Number.isFinite(e.at)) throw new InvalidInputError(`entry ${id}: at must be a finite epoch ms`);
      const shard = keys.outboxShardOf(key);
      const argv = byShard.get(shard) ?? [];
      byShard.set(shard, argv);
      argv.push(id, key, e.version, e.at, encodeJson(`entry ${id}`, e.body));
    }
    return publishArgs(byShard);
  }

  async function findUnrelayed(page: { cursor?: string | null; count: number }): Promise<UnrelayedPage> {
    const count = requirePositive('count', page.count);
    const min = page.cursor ? `(${validateId('cursor', page.cursor)}` : '-';
    const agents = await redis.zrangebylex(keys.agentsIndex(), min, '+', 'LIMIT', 0, count);
    const flags = await Promise.all(agents.map((a) => redis.hexists(keys.agent(a), 'pending')));
    return {
      agentIds: agents.filter((_, i) => flags[i] === 1),
      cursor: agents.length < count ? null : (agents[agents.length - 1] ?? null),
    };
  }

  async function readStreams(
    consumer: string,
    count: number,
    blockMs: number,
    shards: readonly number[],
  ): Promise<OutboxMessage[]> {
    const streamKeys = shards.map((s) => keys.outboxStream(s));
    const block = blockMs > 0 ? ['BLOCK', blockMs] : [];
    const reply = await readRedis.call(
      'XREADGROUP',
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      ...block,
      'STREAMS',
      ...streamKeys,
      ...streamKeys.map(() => '>'),
    );
    if (!Array.isArray(reply)) return [];
    const out: OutboxMessage[] = [];
    for (const stream of reply as unknown[]) {
      if (!Array.isArray(stream)) continue;
      const shard = shardOfStream.get(String(stream[0]));
      if (shard === undefined) continue;
      out.push(...parseStreamEntries(shard, stream[1]));
    }
    return out;
  }

  return {
    relay: (agentId) => relayMany([agentId]),
    relayMany,
    publishEntries,
    findUnrelayed,
    async relayAllPending(pageSize = 500) {
      let cursor: string | null | undefined;
      let appended = 0;
      do {
        const page = await findUnrelayed({ cursor, count: pageSize });
        if (page.agentIds.length > 0) appended += await relayMany(page.agentIds);
        cursor = page.cursor;
      } while (cursor !== null);
      return appended;
    },
    async ensureGroup(from = 'new') {
      const start = groupStartId(from);
      for (const shard of allShards) {
        try {
          await redis.xgroup('CREATE', keys.outboxStream(shard), group, start, 'MKSTREAM');
        } catch (err) {
          if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
        }
      }
    },
    async readGroup(consumer, count, blockMs, shards = allShards) {
      validateId('consumer', consumer);
      requirePositive('count', count);
      requireCount('blockMs', blockMs);
      for (const s of shards) keys.outboxStream(s);
      return readStreams(consumer, count, blockMs, shards);
    },
    async ack(messages) {
      const byShard = new Map<number, string[]>();
      for (const m of messages) {
        const ids = byShard.get(m.shard) ?? [];
        ids.push(m.streamId);
        byShard.set(m.shard, ids);
      }
      const counts = await Promise.all(
        [...byShard].map(([shard, ids]) => redis.xack(keys.outboxStream(shard), group, ...ids)),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
    async claimStale(consumer, minIdleMs, count, shards = allShards) {
      validateId('consumer', consumer);
      requireCount('minIdleMs', minIdleMs);
      requirePositive('count', count);
      const out: OutboxMessage[] = [];
      for (const shard of shards) {
        let start = '0-0';
        do {
          const reply = await redis.xautoclaim(
            keys.outboxStream(shard),
            group,
            consumer,
            minIdleMs,
            start,
            'COUNT',
            count - out.length,
          );
          const [next, entries] = reply as [unknown, unknown];
          out.push(...parseStreamEntries(shard, entries));
          start = String(next);
        } while (start !== '0-0' && out.length < count);
        if (out.length >= count) break;
      }
      return out;
    },
  };
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

function groupStartId(from: GroupStart): string {
  if (from === 'new') return '$';
  if (from === 'all') return '0';
  if (
    typeof from === 'object' &&
    from !== null &&
    typeof from.after === 'string' &&
    STREAM_ID.test(from.after)
  )
    return from.after;
  throw new InvalidInputError("group start must be 'new', 'all' or { after: '<ms>-<seq>' }");
}
