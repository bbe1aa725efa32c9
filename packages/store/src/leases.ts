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
  /** The holding process (see `AcquireOptions.proc`). */
  readonly proc: string;
}

export interface AcquireOptions {
  /**
   * Identifies this process among processes that may share one owner id (e.g. `<pid>-<random>`). A renewal
   * reports when another process used the same owner id meanwhile. Default "".
   */
  readonly proc?: string;
  /** Settings the holders should agree on (e.g. the shard "0/2"), readable by the others. Default "". */
  readonly shard?: string;
}

/** `renewed`, or `shared` when another live process holds the lease under the same owner id. */
export type RenewOutcome = 'renewed' | 'shared';

/** A lease as currently stored, whoever holds it. */
export interface LeaseInfo {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  /** Milliseconds until it expires unless renewed. */
  readonly ttlMs: number;
  /** The holder's process and settings as given to `acquireLease` ("" when not given). */
  readonly proc: string;
  readonly shard: string;
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
  acquireLease(name: string, owner: string, ttlMs: number, options?: AcquireOptions): Promise<Lease | null>;
  /**
   * Extends a held lease to `ttlMs` from now. Throws `LeaseLostError` when it expired or changed hands.
   * Resolves `shared` when another process acquired or renewed it under the same owner id since.
   */
  renewLease(lease: Lease, ttlMs: number): Promise<RenewOutcome>;
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
    async acquireLease(name, owner, ttlMs, acquireOptions = {}) {
      validateId('owner', owner);
      requirePositive('ttlMs', ttlMs);
      const proc = acquireOptions.proc ?? '';
      const shard = acquireOptions.shard ?? '';
      const reply = await redis.lockstepAcquireLease(
        keys.lease(name),
        keys.fenceCounter(),
        owner,
        ttlMs,
        proc,
        shard,
      );
      const token = expectInt('acquire-lease', reply);
      return token > 0 ? { name, owner, token, proc } : null;
    },
    async renewLease(lease, ttlMs) {
      requirePositive('ttlMs', ttlMs);
      const reply = await redis.lockstepRenewLease(
        keys.lease(lease.name),
        lease.owner,
        lease.token,
        ttlMs,
        lease.proc,
      );
      const code = expectInt('renew-lease', reply);
      const error = errorFromScriptCode('renew-lease', code, 0, { lease: lease.name, owner: lease.owner });
      if (error) throw error;
      return code === 2 ? 'shared' : 'renewed';
    },
    async releaseLease(lease) {
      const reply = await redis.lockstepReleaseLease(keys.lease(lease.name), lease.owner, lease.token);
      return expectInt('release-lease', reply) === 1;
    },
    async readLease(name) {
      const key = keys.lease(name);
      const [fields, ttl] = await Promise.all([
        redis.hmget(key, 'owner', 'token', 'proc', 'shard'),
        redis.pttl(key),
      ]);
      const [owner, token, proc, shard] = fields;
      if (!owner || !token || ttl < 0) return null;
      return { name, owner, token: Number(token), ttlMs: ttl, proc: proc ?? '', shard: shard ?? '' };
    },
  };
}
