import type { Logger } from 'pino';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import { GenesysError } from './errors.js';
import type { SdkClient } from './sdk-client.js';

export type RenewalReason = 'start' | 'scheduled' | 'unauthorized' | 'manual';

export interface TokenRenewed {
  readonly reason: RenewalReason;
  /** Epoch ms at which the new token expires. */
  readonly expiresAt: number;
  /** Increments with every successful login. */
  readonly generation: number;
}

export interface GenesysAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Renew when this share of the lifetime remains. Default 0.1. */
  readonly renewFraction?: number;
  /** ...but never earlier than this before expiry. Default 5 min. */
  readonly renewMaxMarginMs?: number;
  /** Backoff between failed renewal attempts. Default 1 s doubling to 60 s. */
  readonly retryBackoff?: BackoffOptions;
}

export interface CreateGenesysAuthDeps {
  readonly client: SdkClient;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly options: GenesysAuthOptions;
}

/**
 * Client-credentials login with renewal before expiry. The token and the secret are never logged or exposed
 * beyond the SDK client they are installed into.
 */
export interface GenesysAuth {
  /** Logs in once and schedules renewals. Rejects (UNAUTHORIZED, NETWORK, ...) if the first login fails. */
  start(): Promise<void>;
  /**
   * Logs in again now; concurrent calls share one login. With `staleGeneration`, resolves at once if a newer token
   * than that generation is already installed (so a burst of 401s costs one login).
   */
  renew(reason: RenewalReason, staleGeneration?: number): Promise<void>;
  /** Number of successful logins so far (0 before `start`). */
  generation(): number;
  expiresAt(): number | undefined;
  onRenewed(listener: (info: TokenRenewed) => void): () => void;
  /** Stops renewals. Idempotent. */
  close(): void;
}

/** Margin before expiry at which to renew. Pure. */
export function renewalMargin(lifetimeMs: number, fraction = 0.1, maxMarginMs = 300_000): number {
  return Math.max(0, Math.min(lifetimeMs * fraction, maxMarginMs));
}

export function createGenesysAuth(deps: CreateGenesysAuthDeps): GenesysAuth {
  const { client, options } = deps;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: 'genesys-auth' });
  if (!options.clientId || !options.clientSecret) {
    throw new GenesysError('GENESYS_INVALID_OPTIONS', 'auth: clientId and clientSecret are required');
  }
  const retryBackoff = options.retryBackoff ?? { baseMs: 1_000, maxMs: 60_000 };
  const listeners = new Set<(info: TokenRenewed) => void>();
  let gen = 0;
  let expiry: number | undefined;
  let inFlight: Promise<void> | undefined;
  let timer: unknown;
  let failures = 0;
  let closed = false;

  const schedule = (ms: number) => {
    if (closed) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      renew('scheduled').catch(() => {
        // Logged in login(); the retry is already scheduled.
      });
    }, ms);
  };

  const login = async (reason: RenewalReason): Promise<void> => {
    try {
      const r = await client.loginClientCredentials(options.clientId, options.clientSecret);
      if (closed) return;
      client.setAccessToken(r.accessToken);
      gen += 1;
      failures = 0;
      const now = clock.now();
      expiry = now + r.expiresInMs;
      const margin = renewalMargin(r.expiresInMs, options.renewFraction, options.renewMaxMarginMs);
      schedule(Math.max(0, r.expiresInMs - margin));
      log.info({ reason, generation: gen, expiresInMs: r.expiresInMs }, 'access token obtained');
      const info: TokenRenewed = { reason, expiresAt: expiry, generation: gen };
      for (const l of listeners) {
        try {
          l(info);
        } catch (err) {
          log.error({ err }, 'token renewal listener failed');
        }
      }
    } catch (e) {
      failures += 1;
      // Unknown rejections are dropped, not wrapped: they may carry the Basic credentials header.
      const err = e instanceof GenesysError ? e : new GenesysError('GENESYS_NETWORK', 'auth.login failed');
      log.warn({ reason, code: err.code, status: err.status, failures }, 'login failed');
      // Keep trying in the background once we have been started; the first login's failure goes to the caller.
      if (gen > 0 || reason !== 'start') schedule(backoffDelay(failures, retryBackoff, random()));
      throw err;
    }
  };

  const renew = (reason: RenewalReason, staleGeneration?: number): Promise<void> => {
    if (closed) return Promise.reject(new GenesysError('GENESYS_CLOSED', 'auth closed'));
    if (staleGeneration !== undefined && gen > staleGeneration) return Promise.resolve();
    inFlight ??= login(reason).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    start: () => renew('start'),
    renew,
    generation: () => gen,
    expiresAt: () => expiry,
    onRenewed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
