import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { InvalidInputError } from './errors.js';
import type { RedisClient } from './scripts.js';

export interface ConnectOptions {
  /** Shown by `CLIENT LIST`; helps operators tell engine connections apart. */
  readonly connectionName?: string;
  /** Retries of one command across reconnects before it fails. Default 3. */
  readonly maxRetriesPerRequest?: number;
  /** Batch concurrent commands into pipelines. Default true. */
  readonly enableAutoPipelining?: boolean;
  /** Default 10 000. */
  readonly connectTimeoutMs?: number;
  /**
   * Called with every connection error of the client and of every client `duplicate()` makes from it (a wrong
   * password, a refused connection, each failed reconnect). Defaults to ignoring them: commands still reject
   * with the error, and ioredis never prints its unstructured "Unhandled error event" trace.
   */
  readonly onError?: (err: Error) => void;
}

/**
 * Creates a connected ioredis client: a single-node client for one URL, a Cluster client for several
 * (`redis://` or `rediss://` URLs; credentials are taken from the first). Connecting starts at once
 * (`lazyConnect: false`); commands issued meanwhile are queued. The caller owns the client and must
 * `quit()` it.
 */
export function connectRedis(url: string | readonly string[], options: ConnectOptions = {}): RedisClient {
  const urls = (typeof url === 'string' ? [url] : [...url]).map(parseUrl);
  const first = urls[0];
  if (!first) throw new InvalidInputError('connectRedis needs at least one URL');
  const common: RedisOptions = {
    lazyConnect: false,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    enableAutoPipelining: options.enableAutoPipelining ?? true,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  const auth: RedisOptions = {
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const onError = options.onError ?? (() => {});
  if (urls.length === 1) return withErrorListener(new Redis(first.href, common), onError);
  return withErrorListener(
    new Cluster(
      urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
      {
        enableAutoPipelining: common.enableAutoPipelining,
        lazyConnect: false,
        redisOptions: { ...common, ...auth },
      },
    ),
    onError,
  );
}

/**
 * Attaches `onError` to the client's 'error' event, and makes its `duplicate()` do the same for every copy
 * (the copies a subscriber or a blocking reader needs), so no client of ours is ever without a listener.
 */
function withErrorListener<C extends RedisClient>(client: C, onError: (err: Error) => void): C {
  client.on('error', onError);
  const duplicate = client.duplicate.bind(client) as (...args: unknown[]) => RedisClient;
  Object.defineProperty(client, 'duplicate', {
    configurable: true,
    writable: true,
    value: (...args: unknown[]) => withErrorListener(duplicate(...args), onError),
  });
  return client;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    // The URL may carry a password: never echo it.
    throw new InvalidInputError('Redis URL is not a valid URL', {
      cause: cause instanceof Error ? cause.name : undefined,
    });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InvalidInputError(`Redis URL must use redis:// or rediss://, got ${url.protocol}`);
  }
  return url;
}
