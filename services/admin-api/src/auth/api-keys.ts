import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Keys, RedisClient } from '@lockstep/store';

/** Scopes a key may carry. `admin` includes `operate`, which includes `read`. */
export const SCOPES = ['read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Readonly<Record<Scope, number>> = { read: 0, operate: 1, admin: 2 };

/** Whether a key holding `scopes` may use a route that needs `required`. Pure. */
export function allows(scopes: readonly Scope[], required: Scope): boolean {
  return scopes.some((s) => RANK[s] >= RANK[required]);
}

/** A key as listed: never the key itself, nor its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly scopes: Scope[];
  readonly createdAt: string;
  readonly createdBy: string;
}

/** Who a request authenticated as. */
export interface Principal {
  readonly keyId: string;
  readonly scopes: Scope[];
}

interface StoredKey extends ApiKeyInfo {
  readonly hash: string;
}

export interface ApiKeys {
  /** Creates a key; the returned `key` is shown once and never stored. */
  create(input: {
    name: string;
    scopes: readonly Scope[];
    createdBy: string;
  }): Promise<ApiKeyInfo & { key: string }>;
  list(): Promise<ApiKeyInfo[]>;
  /** Resolves to false when no such key exists. */
  revoke(id: string): Promise<boolean>;
  /** The principal of a presented key, or `null` (unknown, revoked or malformed key). */
  verify(presented: string): Promise<Principal | null>;
}

/** Id of the bootstrap admin key in audit entries and logs. */
export const BOOTSTRAP_KEY_ID = 'bootstrap';

// lsk_<16 hex id>_<43 base64url chars: 256 random bits>
const KEY_FORMAT = /^lsk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * API keys stored hashed (SHA-256 of a 256-bit random key: a fast hash is enough for keys of that entropy) in
 * one Redis hash. Verification compares digests in constant time. `bootstrapKey` (if any) is an admin key
 * accepted without being stored.
 */
export function createApiKeys(deps: {
  redis: RedisClient;
  keys: Keys;
  bootstrapKey: string | null;
  now?: () => number;
  /**
   * How long a verified key is trusted without asking Redis again (default 1,000 ms; 0 disables). A revocation
   * takes effect on every replica within this time.
   */
  cacheMs?: number;
}): ApiKeys {
  const { redis } = deps;
  const cacheMs = deps.cacheMs ?? 1_000;
  // Verified keys by digest (never the key itself); bounded, entries expire after `cacheMs`.
  const verified = new Map<string, { principal: Principal; until: number }>();
  const hashKey = deps.keys.apiKeys();
  const now = deps.now ?? Date.now;
  const bootstrapDigest = deps.bootstrapKey === null ? null : sha256(deps.bootstrapKey);
  const info = ({ hash: _hash, ...rest }: StoredKey): ApiKeyInfo => rest;

  return {
    async create(input) {
      const id = randomBytes(8).toString('hex');
      const key = `lsk_${id}_${randomBytes(32).toString('base64url')}`;
      const stored: StoredKey = {
        id,
        name: input.name,
        scopes: [...new Set(input.scopes)],
        createdAt: new Date(now()).toISOString(),
        createdBy: input.createdBy,
        hash: sha256(key).toString('hex'),
      };
      await redis.hset(hashKey, id, JSON.stringify(stored));
      return { ...info(stored), key };
    },
    async list() {
      const all = await redis.hgetall(hashKey);
      return Object.values(all)
        .map((text) => info(JSON.parse(text) as StoredKey))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },
    async revoke(id) {
      // This replica forgets the key at once; the others within `cacheMs`.
      for (const [digest, entry] of verified) if (entry.principal.keyId === id) verified.delete(digest);
      return (await redis.hdel(hashKey, id)) === 1;
    },
    async verify(presented) {
      const digest = sha256(presented);
      if (bootstrapDigest !== null && timingSafeEqual(digest, bootstrapDigest)) {
        return { keyId: BOOTSTRAP_KEY_ID, scopes: ['admin'] };
      }
      const id = KEY_FORMAT.exec(presented)?.[1];
      if (id === undefined) return null;
      const cacheKey = digest.toString('hex');
      const cached = verified.get(cacheKey);
      if (cached !== undefined && cached.until > now()) return cached.principal;
      const text = await redis.hget(hashKey, id);
      if (text === null) return null;
      const stored = JSON.parse(text) as StoredKey;
      const expected = Buffer.from(stored.hash, 'hex');
      if (expected.length !== digest.length || !timingSafeEqual(digest, expected)) return null;
      const principal = { keyId: stored.id, scopes: stored.scopes };
      if (cacheMs > 0) {
        if (verified.size >= 10_000) verified.clear();
        verified.set(cacheKey, { principal, until: now() + cacheMs });
      }
      return principal;
    },
  };
}
