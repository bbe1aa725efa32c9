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
  if (urls.length === 1) return new Redis(first.href, common);
  return new Cluster(
    urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
    {
      enableAutoPipelining: common.enableAutoPipelining,
      lazyConnect: false,
      redisOptions: { ...common, ...auth },
    },
  );
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
