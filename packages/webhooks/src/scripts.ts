import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from '@lockstep/store';
import type { RedisKey, Result } from 'ioredis';

type Arg = string | number;

// Replies are `unknown` on purpose: callers validate their shape.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    lockstepWhEnqueue(...keysAndArgs: (RedisKey | Arg)[]): Result<unknown, Context>;
    lockstepWhBegin(...keysAndArgs: (RedisKey | Arg)[]): Result<unknown, Context>;
    lockstepWhFinish(...keysAndArgs: (RedisKey | Arg)[]): Result<unknown, Context>;
    lockstepWhReplay(...keysAndArgs: (RedisKey | Arg)[]): Result<unknown, Context>;
  }
}

const SCRIPTS = [
  { file: 'enqueue-delivery', command: 'lockstepWhEnqueue', numberOfKeys: 5 },
  { file: 'begin-attempt', command: 'lockstepWhBegin', numberOfKeys: 3 },
  { file: 'finish-attempt', command: 'lockstepWhFinish', numberOfKeys: 8 },
  { file: 'replay-delivery', command: 'lockstepWhReplay', numberOfKeys: 5 },
] as const;

// `src/` and `dist/` both sit directly under the package root.
const LUA_DIR = fileURLToPath(new URL('../lua/', import.meta.url));
const defined = new WeakSet<object>();

/** Registers the delivery scripts on `redis` (EVALSHA with EVAL fallback). Idempotent per client. */
export function defineWebhookScripts(redis: RedisClient): void {
  if (defined.has(redis)) return;
  for (const s of SCRIPTS) {
    redis.defineCommand(s.command, {
      numberOfKeys: s.numberOfKeys,
      lua: readFileSync(`${LUA_DIR}${s.file}.lua`, 'utf8'),
    });
  }
  defined.add(redis);
}
