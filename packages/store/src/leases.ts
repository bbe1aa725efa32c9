import { requirePositive } from './codec.js';
import { errorFromScriptCode } from './errors.js';
import { type Keys, validateId } from './keys.js';
import { defineScripts, expectInt, type RedisClient } from './scripts.js';

/** A held lease. `token` is the fencing token to pass with every agent commit made under this lease. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  /** Monotonically increasing across all leases of one key prefix (one shared INCR counter). */
  readonly token: number;
}

/** A lease as currently stored, whoever holds it. */
export interface LeaseInfo {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  /** Milliseconds until it expires unless renewed. */
  readonly ttlMs: number;
}

export interface LeasesOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
}

/**
 * Named, expiring, exclusive leases with fencing tokens (e.g. one lease per agent shard). Expiry is Redis
 * server time, so holders must renew well before `ttlMs` and stop writing once a renewal fails.
 */
export interface Leases {
  /**
   * Takes the lease for `ttlMs`. Returns it with a fresh fencing token, or with its current token when
   * `owner` already holds it (TTL refreshed); returns `null` when another owner holds it.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a held lease to `ttlMs` from now. Throws `LeaseLostError` when it expired or changed hands. */
  renewLease(lease: Lease, ttlMs: number): Promise<void>;
  /** Gives the lease up. Only the holder (same owner and token) can; returns false otherwise. Idempotent. */
  releaseLease(lease: Lease): Promise<boolean>;
  /** Reads the lease as stored, or `null` when free. */
  readLease(name: string): Promise<LeaseInfo | null>;
}

/** Creates the lease manager. Registers the Lua scripts; does not own or close the client. */
export function createLeases(options: LeasesOptions): Leases {
  const { redis, keys } = options;
  defineScripts(redis);

  return {
    async acquireLease(name, owner, ttlMs) {
      validateId('owner', owner);
      requirePositive('ttlMs', ttlMs);
      const reply = await redis.lockstepAcquireLease(keys.lease(name), keys.fenceCounter(), owner, ttlMs);
      const token = expectInt('acquire-lease', reply);
      return token > 0 ? { name, owner, token } : null;
    },
    async renewLease(lease, ttlMs) {
      requirePositive('ttlMs', ttlMs);
      const reply = await redis.lockstepRenewLease(keys.lease(lease.name), lease.owner, lease.token, ttlMs);
      const code = expectInt('renew-lease', reply);
      const error = errorFromScriptCode('renew-lease', code, 0, { lease: lease.name, owner: lease.owner });
      if (error) throw error;
    },
    async releaseLease(lease) {
      const reply = await redis.lockstepReleaseLease(keys.lease(lease.name), lease.owner, lease.token);
      return expectInt('release-lease', reply) === 1;
    },
    async readLease(name) {
      const key = keys.lease(name);
      const [fields, ttl] = await Promise.all([redis.hmget(key, 'owner', 'token'), redis.pttl(key)]);
      const [owner, token] = fields;
      if (!owner || !token || ttl < 0) return null;
      return { name, owner, token: Number(token), ttlMs: ttl };
    },
  };
}
