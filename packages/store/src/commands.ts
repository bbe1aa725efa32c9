import { InvalidInputError } from './errors.js';
import type { Keys } from './keys.js';
import { validateId } from './keys.js';
import type { RedisClient } from './scripts.js';

/** A request for the engine that owns `agentId`, e.g. `{ type: 'declare', body: {...} }`. */
export interface Command {
  readonly agentId: string;
  readonly type: string;
  readonly body: unknown;
}

/** A command read from the stream. `malformed` says why the entry could not be decoded (ack it anyway). */
export interface ReceivedCommand extends Command {
  readonly streamId: string;
  readonly malformed?: string;
}

export interface CommandQueueOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Approximate bound of the stream (XADD MAXLEN ~). Default 10,000. */
  readonly maxLen?: number;
  /** Client used for blocking reads (a blocked connection serves nobody else). Default `redis`. */
  readonly readRedis?: RedisClient;
}

/**
 * The command stream: other processes append commands; each engine shard reads them through its own consumer
 * group (so every shard sees every command and keeps those for its agents). Delivery is at-least-once.
 */
export interface CommandQueue {
  /** Appends a command; resolves to its stream id. */
  send(command: Command): Promise<string>;
  /** Creates the consumer group if missing, reading from the start of the stream. Idempotent. */
  ensureGroup(group: string): Promise<void>;
  /** Reads new commands for `consumer` of `group`, blocking up to `blockMs` (0 = do not block). */
  read(group: string, consumer: string, count: number, blockMs: number): Promise<ReceivedCommand[]>;
  /** Acknowledges handled commands. */
  ack(group: string, streamIds: readonly string[]): Promise<number>;
  /**
   * Claims for `consumer` up to `count` commands of `group` delivered at least `minIdleMs` ago and never
   * acknowledged (those of a dead or demoted consumer, or this consumer's own that were not committed), with
   * XAUTOCLAIM. Entries trimmed from the stream meanwhile are dropped from the pending list by Redis.
   */
  claim(group: string, consumer: string, minIdleMs: number, count: number): Promise<ReceivedCommand[]>;
  /**
   * Deletes the group's consumers other than `keep` that hold no pending command (names left by earlier
   * processes). Resolves to how many were deleted.
   */
  pruneConsumers(group: string, keep: string): Promise<number>;
}

export function createCommandQueue(options: CommandQueueOptions): CommandQueue {
  const { redis, keys } = options;
  const readRedis = options.readRedis ?? redis;
  const maxLen = options.maxLen ?? 10_000;
  const stream = keys.commandsStream();
  return {
    async send(command) {
      validateId('agent id', command.agentId);
      if (typeof command.type !== 'string' || !/^[a-z][a-z-]{0,39}$/.test(command.type)) {
        throw new InvalidInputError(`command type ${JSON.stringify(command.type)} is not a lower-case word`);
      }
      const body = JSON.stringify(command.body ?? null);
      const id = await redis.xadd(
        stream,
        'MAXLEN',
        '~',
        maxLen,
        '*',
        'agent',
        command.agentId,
        'type',
        command.type,
        'body',
        body,
      );
      return String(id);
    },
    async ensureGroup(group) {
      validateId('group', group);
      try {
        await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
      }
    },
    async read(group, consumer, count, blockMs) {
      validateId('group', group);
      validateId('consumer', consumer);
      const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', count];
      if (blockMs > 0) args.push('BLOCK', blockMs);
      args.push('STREAMS', stream, '>');
      const reply = (await readRedis.call('XREADGROUP', ...args)) as unknown;
      return parseCommands(reply);
    },
    async ack(group, streamIds) {
      if (streamIds.length === 0) return 0;
      return redis.xack(stream, group, ...streamIds);
    },
    async claim(group, consumer, minIdleMs, count) {
      validateId('group', group);
      validateId('consumer', consumer);
      const out: ReceivedCommand[] = [];
      let cursor = '0-0';
      // One sweep over the pending list: XAUTOCLAIM answers a cursor of 0-0 once it has seen all of it.
      do {
        const reply = (await redis.call(
          'XAUTOCLAIM',
          stream,
          group,
          consumer,
          Math.max(0, Math.floor(minIdleMs)),
          cursor,
          'COUNT',
          Math.max(1, count - out.length),
        )) as unknown;
        if (!Array.isArray(reply) || reply.length < 2) break;
        cursor = String(reply[0]);
        out.push(...parseCommands([[stream, reply[1]]]));
      } while (cursor !== '0-0' && out.length < count);
      return out;
    },
    async pruneConsumers(group, keep) {
      validateId('group', group);
      const reply = (await redis.call('XINFO', 'CONSUMERS', stream, group)) as unknown;
      let deleted = 0;
      for (const consumer of Array.isArray(reply) ? (reply as unknown[]) : []) {
        if (!Array.isArray(consumer)) continue;
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < consumer.length; i += 2) fields.set(String(consumer[i]), consumer[i + 1]);
        const name = String(fields.get('name') ?? '');
        if (name === '' || name === keep || Number(fields.get('pending')) !== 0) continue;
        // DELCONSUMER would drop pending entries with it: only consumers holding none are deleted.
        deleted += Number(await redis.call('XGROUP', 'DELCONSUMER', stream, group, name)) >= 0 ? 1 : 0;
      }
      return deleted;
    },
  };
}

function parseCommands(reply: unknown): ReceivedCommand[] {
  if (!Array.isArray(reply)) return [];
  const out: ReceivedCommand[] = [];
  for (const streamReply of reply as unknown[]) {
    const entries = Array.isArray(streamReply) ? (streamReply as unknown[])[1] : undefined;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as unknown[]) {
      // XAUTOCLAIM answers nil for an entry deleted from the stream (Redis 6.2).
      if (!Array.isArray(entry) || entry.length < 2) continue;
      const [streamId, fields] = entry as [unknown, unknown];
      const map = new Map<string, string>();
      if (Array.isArray(fields)) {
        for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
      }
      const base = {
        streamId: String(streamId),
        agentId: map.get('agent') ?? '',
        type: map.get('type') ?? '',
      };
      try {
        out.push({ ...base, body: JSON.parse(map.get('body') ?? '') as unknown });
      } catch {
        out.push({ ...base, body: null, malformed: 'body is not JSON' });
      }
    }
  }
  return out;
}
