import type { RedisClient } from '@lockstep/store';
import { StartupError } from './errors.js';

/**
 * Checks at start-up that Redis answers and accepts our credentials, within `timeoutMs`. Resolves, or rejects with
 * a `StartupError` that says which of the two failed. The message names the server (`where`, no credentials) and
 * never echoes the password.
 */
export async function probeRedis(redis: RedisClient, where: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StartupError(`Redis at ${where} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([redis.ping(), deadline]);
  } catch (err) {
    if (err instanceof StartupError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/^(WRONGPASS|NOAUTH|ERR AUTH|ERR invalid password)/i.test(message)) {
      throw new StartupError(`Redis at ${where} refused our credentials (check the password in REDIS_URL)`, {
        cause: err,
      });
    }
    throw new StartupError(`Redis at ${where} is unreachable`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a client that may never have connected: a polite QUIT within `timeoutMs`, else a hard disconnect. */
export async function closeRedis(redis: RedisClient, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([redis.quit().then(() => undefined), timeout]);
  } catch {
    // A client that never authenticated rejects QUIT: disconnecting below is all that is left to do.
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
