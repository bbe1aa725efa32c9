import { randomBytes } from 'node:crypto';
import type { OAuthClientSpec } from '../world/contract.js';

/** What a valid bearer token stands for. */
export interface TokenGrant {
  readonly token: string;
  readonly client: OAuthClientSpec;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type TokenCheck =
  { ok: true; grant: TokenGrant } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export interface TokenStore {
  /** Verifies a client's credentials; undefined when they do not match a configured client. */
  authenticate(clientId: string, clientSecret: string): OAuthClientSpec | undefined;
  /** Issues a new random opaque token for the client (client-credentials grant). */
  issue(client: OAuthClientSpec): TokenGrant;
  check(token: string): TokenCheck;
  /** Revokes one token. Idempotent. */
  revoke(token: string): void;
  /** Revokes every token of one client, or of all clients; returns how many were live. */
  revokeClient(clientId?: string): number;
  /** Number of live tokens (for stats). */
  size(): number;
}

/**
 * Creates the in-memory OAuth token store. Token lifetimes run on `clock` (real time by default), because
 * `expires_in` is a duration the client measures on its own clock (reference §1.2).
 */
export function createTokenStore(
  clients: readonly OAuthClientSpec[],
  clock: () => number = Date.now,
): TokenStore {
  const live = new Map<string, TokenGrant>();
  // Remembered so that a revoked token answers "revoked" rather than "unknown"; bounded below.
  const revoked = new Set<string>();

  const sweep = () => {
    const now = clock();
    for (const [token, grant] of live) if (grant.expiresAt <= now) live.delete(token);
    if (revoked.size > 10_000) revoked.clear();
  };

  return {
    authenticate(clientId, clientSecret) {
      return clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    },
    issue(client) {
      if (live.size > 10_000) sweep();
      const issuedAt = clock();
      const grant: TokenGrant = {
        token: randomBytes(36).toString('base64url'),
        client,
        issuedAt,
        expiresAt: issuedAt + client.tokenLifetimeSec * 1000,
      };
      live.set(grant.token, grant);
      return grant;
    },
    check(token) {
      const grant = live.get(token);
      if (!grant) return { ok: false, reason: revoked.has(token) ? 'revoked' : 'unknown' };
      if (grant.expiresAt <= clock()) {
        live.delete(token);
        return { ok: false, reason: 'expired' };
      }
      return { ok: true, grant };
    },
    revoke(token) {
      if (live.delete(token)) revoked.add(token);
    },
    revokeClient(clientId) {
      let n = 0;
      for (const [token, grant] of live) {
        if (clientId === undefined || grant.client.clientId === clientId) {
          live.delete(token);
          revoked.add(token);
          n++;
        }
      }
      return n;
    },
    size() {
      return live.size;
    },
  };
}
