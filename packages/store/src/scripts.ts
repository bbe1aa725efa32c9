import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis, RedisKey, Result } from 'ioredis';
import { ScriptLoadError, ScriptResultError } from './errors.js';

/** A client the store accepts: a single node or a Cluster. */
export type RedisClient = Redis | Cluster;

type Arg = string | number;

// Script results are typed `unknown` on purpose: every caller validates the reply shape.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    lockstepCommitAgent(
      agentKey: RedisKey,
      historyKey: RedisKey,
      leaseKey: RedisKey,
      ...argv: Arg[]
    ): Result<unknown, Context>;
    lockstepClearPending(agentKey: RedisKey, version: Arg, pending: string): Result<unknown, Context>;
    lockstepPublishOutbox(streamKey: RedisKey, dedupeKey: RedisKey, ...argv: Arg[]): Result<unknown, Context>;
    lockstepAcquireLease(
      leaseKey: RedisKey,
      fenceKey: RedisKey,
      owner: string,
      ttlMs: Arg,
      proc: string,
      shard: string,
    ): Result<unknown, Context>;
    lockstepRenewLease(
      leaseKey: RedisKey,
      owner: string,
      token: Arg,
      ttlMs: Arg,
      proc: string,
    ): Result<unknown, Context>;
    lockstepReleaseLease(leaseKey: RedisKey, owner: string, token: Arg): Result<unknown, Context>;
    lockstepTakeBudget(budgetKey: RedisKey, ...argv: Arg[]): Result<unknown, Context>;
    lockstepClaimCorrection(lockKey: RedisKey, ...argv: Arg[]): Result<unknown, Context>;
    lockstepIndexAgent(tagsKey: RedisKey, sinceKey: RedisKey, ...argv: Arg[]): Result<unknown, Context>;
    lockstepSetAgentProfile(
      profilesKey: RedisKey,
      namesKey: RedisKey,
      tagsKey: RedisKey,
      ...argv: Arg[]
    ): Result<unknown, Context>;
  }
}

/** One Lua file and the ioredis command it becomes. */
export interface ScriptDefinition {
  /** File name without `.lua` inside the package's `lua/` directory. */
  readonly file: string;
  /** ioredis command name (see the `RedisCommander` augmentation above). */
  readonly command: string;
  readonly numberOfKeys: number;
}

export const SCRIPTS: readonly ScriptDefinition[] = Object.freeze([
  { file: 'commit-agent', command: 'lockstepCommitAgent', numberOfKeys: 3 },
  { file: 'clear-pending', command: 'lockstepClearPending', numberOfKeys: 1 },
  { file: 'publish-outbox', command: 'lockstepPublishOutbox', numberOfKeys: 2 },
  { file: 'acquire-lease', command: 'lockstepAcquireLease', numberOfKeys: 2 },
  { file: 'renew-lease', command: 'lockstepRenewLease', numberOfKeys: 1 },
  { file: 'release-lease', command: 'lockstepReleaseLease', numberOfKeys: 1 },
  { file: 'take-budget', command: 'lockstepTakeBudget', numberOfKeys: 1 },
  { file: 'claim-correction', command: 'lockstepClaimCorrection', numberOfKeys: 1 },
  { file: 'index-agent', command: 'lockstepIndexAgent', numberOfKeys: 2 },
  { file: 'set-agent-profile', command: 'lockstepSetAgentProfile', numberOfKeys: 3 },
]);

/**
 * Directory of the `.lua` files. `src/` and `dist/` both sit directly under the package root, so the same
 * relative URL works for tsx/vitest and for the built package.
 */
export const LUA_DIR = fileURLToPath(new URL('../lua/', import.meta.url));

let sources: ReadonlyMap<string, string> | undefined;

/** Reads every script file once per process. Throws `ScriptLoadError` naming the missing file. */
export function loadScriptSources(): ReadonlyMap<string, string> {
  if (sources) return sources;
  const loaded = new Map<string, string>();
  for (const script of SCRIPTS) {
    const path = `${LUA_DIR}${script.file}.lua`;
    try {
      loaded.set(script.file, readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new ScriptLoadError(`${script.file}.lua`, { cause });
    }
  }
  sources = loaded;
  return loaded;
}

const defined = new WeakSet<object>();

/**
 * Registers every store script on `redis` with `defineCommand` (EVALSHA with EVAL fallback, so each call is
 * one round-trip). Idempotent per client.
 */
export function defineScripts(redis: RedisClient): void {
  if (defined.has(redis)) return;
  const loaded = loadScriptSources();
  for (const script of SCRIPTS) {
    const lua = loaded.get(script.file);
    if (lua === undefined) throw new ScriptLoadError(`${script.file}.lua`);
    redis.defineCommand(script.command, { lua, numberOfKeys: script.numberOfKeys });
  }
  defined.add(redis);
}

/** Reads an integer script reply; anything else is a `ScriptResultError`. */
export function expectInt(script: string, reply: unknown): number {
  if (typeof reply === 'number' && Number.isInteger(reply)) return reply;
  throw new ScriptResultError(script, reply);
}

/** Reads a `{integer, integer|string}` script reply. */
export function expectPair(script: string, reply: unknown): [number, string | number] {
  if (Array.isArray(reply) && reply.length === 2) {
    const [code, detail] = reply as unknown[];
    if (typeof code === 'number' && (typeof detail === 'string' || typeof detail === 'number')) {
      return [code, detail];
    }
  }
  throw new ScriptResultError(script, reply);
}
