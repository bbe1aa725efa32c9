import type { Logger } from 'pino';
import { createApiCall } from './api-call.js';
import { createNotificationsApi, type NotificationsApi } from './api-notifications.js';
import { createUsersApi, type UsersApi } from './api-users.js';
import { createWfmApi, type WfmApi } from './api-wfm.js';
import { createGenesysAuth, type GenesysAuth, type GenesysAuthOptions, type TokenRenewed } from './auth.js';
import { type Clock, systemClock } from './clock.js';
import { createPacer, type Pacer, type PacerOptions, type PacerStats } from './pacer.js';
import { createSdkClient, type GenesysTarget } from './sdk-client.js';

export interface GenesysApiOptions {
  /** Environment (`mypurecloud.ie`) or explicit bases (`http://127.0.0.1:<port>` for the simulator). */
  readonly target: GenesysTarget;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Per-request HTTP timeout. Default 16 s. */
  readonly timeoutMs?: number;
  readonly pacing?: PacerOptions;
  readonly auth?: Omit<GenesysAuthOptions, 'clientId' | 'clientSecret'>;
}

export interface CreateGenesysApiDeps {
  readonly options: GenesysApiOptions;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Supply a pacer to share it; by default one is created for this client's token. */
  readonly pacer?: Pacer;
}

/**
 * The Genesys Cloud REST surface lockstep uses. Every call is paced (token bucket, Retry-After, bounded retries),
 * re-logs in once on 401, and fails with a coded `GenesysError`.
 */
export interface GenesysApi {
  /** Logs in. Must resolve before any call. */
  start(): Promise<void>;
  /** Stops token renewal and rejects queued calls. Idempotent. */
  close(): void;
  readonly users: UsersApi;
  readonly wfm: WfmApi;
  readonly notifications: NotificationsApi;
  readonly auth: GenesysAuth;
  readonly pacer: Pacer;
  /** Called after every successful login (first one included). */
  onTokenRenewed(listener: (info: TokenRenewed) => void): () => void;
  stats(): { readonly pacer: PacerStats; readonly tokenGeneration: number; readonly tokenExpiresAt?: number };
}

export function createGenesysApi(deps: CreateGenesysApiDeps): GenesysApi {
  const { options } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.logger.child({ component: 'genesys-api' });
  const client = createSdkClient({
    target: options.target,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const pacer =
    deps.pacer ??
    createPacer({
      clock,
      ...(deps.random === undefined ? {} : { random: deps.random }),
      ...(options.pacing === undefined ? {} : { options: options.pacing }),
    });
  const auth = createGenesysAuth({
    client,
    logger: deps.logger,
    clock,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    options: { ...options.auth, clientId: options.clientId, clientSecret: options.clientSecret },
  });
  const call = createApiCall(client, pacer, auth, log);
  let closed = false;

  return {
    start: () => auth.start(),
    close() {
      if (closed) return;
      closed = true;
      auth.close();
      if (deps.pacer === undefined) pacer.close();
    },
    users: createUsersApi(client.api, call),
    wfm: createWfmApi(client.api, call),
    notifications: createNotificationsApi(client.api, call),
    auth,
    pacer,
    onTokenRenewed: (listener) => auth.onRenewed(listener),
    stats() {
      const expiresAt = auth.expiresAt();
      return {
        pacer: pacer.stats(),
        tokenGeneration: auth.generation(),
        ...(expiresAt === undefined ? {} : { tokenExpiresAt: expiresAt }),
      };
    },
  };
}
