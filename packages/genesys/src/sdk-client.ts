import platformClient from 'purecloud-platform-client-v2';
import { codeForStatus, GenesysError } from './errors.js';
import type { PacedResult, RateLimitInfo } from './pacer.js';

/** The SDK's ApiClient type (the d.ts declares the class but exports only the singleton instance). */
export type SdkApiClient = typeof platformClient.ApiClient;

/**
 * Where the platform is: a Genesys environment (`mypurecloud.com`, `mypurecloud.ie`, ...), or explicit bases for a
 * gateway or the simulator. Explicit bases must share one origin (the SDK gateway replaces both bases with one
 * host); they may differ in path, e.g. `http://127.0.0.1:8080/login` and `http://127.0.0.1:8080`.
 */
export type GenesysTarget =
  { readonly environment: string } | { readonly apiBase: string; readonly loginBase?: string };

export interface SdkClientOptions {
  readonly target: GenesysTarget;
  /** Per-request HTTP timeout. Default 16 s (the SDK's default). */
  readonly timeoutMs?: number;
}

/** Token as the login returns it. */
export interface LoginResult {
  readonly accessToken: string;
  /** Lifetime from the response's `expires_in`. */
  readonly expiresInMs: number;
}

/**
 * A dedicated SDK ApiClient: isolated from the process singleton and from the SDK's config file, extended
 * responses on (to see status and rate-limit headers), SDK logging off (it would print Authorization headers).
 */
export interface SdkClient {
  readonly api: SdkApiClient;
  /** Base URL REST calls go to (for diagnostics). */
  readonly apiBase: string;
  loginClientCredentials(clientId: string, clientSecret: string): Promise<LoginResult>;
  setAccessToken(token: string): void;
  /**
   * Runs one SDK call and unwraps the extended response into `{ value, rateLimit, status, correlationId }`; failures become
   * `GenesysError`s whose `cause` never carries request headers (they hold the bearer token).
   */
  invoke<T>(operation: string, call: () => Promise<T>): Promise<PacedResult<T>>;
}

interface ExtendedResponse {
  status: number;
  headers?: Record<string, unknown>;
  body?: unknown;
  text?: unknown;
}

function isExtended(v: unknown): v is ExtendedResponse {
  return typeof v === 'object' && v !== null && typeof (v as { status?: unknown }).status === 'number';
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses `inin-ratelimit-*`. Pure. */
export function parseRateLimit(headers: Record<string, unknown> | undefined): RateLimitInfo | undefined {
  const count = num(header(headers, 'inin-ratelimit-count'));
  const allowed = num(header(headers, 'inin-ratelimit-allowed'));
  const reset = num(header(headers, 'inin-ratelimit-reset'));
  if (count === undefined && allowed === undefined && reset === undefined) return undefined;
  return {
    ...(count === undefined ? {} : { count }),
    ...(allowed === undefined ? {} : { allowed }),
    ...(reset === undefined ? {} : { resetMs: reset * 1000 }),
  };
}

/** Milliseconds to wait after a 429: `Retry-After` (seconds or HTTP date), else `inin-ratelimit-reset`. Pure. */
export function retryAfterMs(
  headers: Record<string, unknown> | undefined,
  now = Date.now(),
): number | undefined {
  const ra = header(headers, 'retry-after');
  if (ra !== undefined) {
    const secs = num(ra);
    if (secs !== undefined) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return parseRateLimit(headers)?.resetMs;
}

/** Turns an SDK rejection (extended response, Axios error, anything) into a GenesysError. */
export function toGenesysError(operation: string, rejection: unknown): GenesysError {
  if (rejection instanceof GenesysError) return rejection;
  // Generated SDK methods throw plain strings for missing required parameters.
  if (typeof rejection === 'string')
    return new GenesysError('GENESYS_BAD_REQUEST', `${operation}: ${rejection}`, { operation });
  if (isExtended(rejection)) {
    const body = rejection.body as { code?: unknown; message?: unknown } | undefined;
    const apiCode = typeof body?.code === 'string' ? body.code : undefined;
    const message = typeof body?.message === 'string' ? body.message : `HTTP ${rejection.status}`;
    const correlationId = header(rejection.headers, 'inin-correlation-id');
    const wait = rejection.status === 429 ? retryAfterMs(rejection.headers) : undefined;
    return new GenesysError(
      codeForStatus(rejection.status),
      `${operation}: ${message}`,
      {
        operation,
        status: rejection.status,
        ...(apiCode === undefined ? {} : { apiCode }),
        ...(correlationId === undefined ? {} : { correlationId }),
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      },
      { status: rejection.status, body: rejection.body },
    );
  }
  // Axios errors carry the request config (with the Authorization header): keep only harmless fields.
  const e = rejection as { code?: unknown; message?: unknown; response?: { status?: unknown } } | undefined;
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) {
    return new GenesysError(codeForStatus(status), `${operation}: HTTP ${status}`, { operation, status });
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : 'no response';
  return new GenesysError('GENESYS_NETWORK', `${operation}: ${message}`, { operation }, { code, message });
}

function gatewayFor(apiBase: string, loginBase: string | undefined) {
  let api: URL;
  let login: URL;
  try {
    api = new URL(apiBase);
    login = new URL(loginBase ?? apiBase);
  } catch {
    throw new GenesysError('GENESYS_INVALID_OPTIONS', 'target: apiBase/loginBase must be absolute URLs');
  }
  if (api.origin !== login.origin) {
    throw new GenesysError('GENESYS_INVALID_OPTIONS', 'target: apiBase and loginBase must share one origin');
  }
  const protocol = api.protocol.replace(':', '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw new GenesysError('GENESYS_INVALID_OPTIONS', 'target: only http and https bases are supported');
  }
  const strip = (p: string) => p.replace(/^\/+|\/+$/g, '');
  return {
    host: api.hostname,
    protocol,
    ...(api.port === '' ? {} : { port: Number(api.port) }),
    path_params_api: strip(api.pathname),
    path_params_login: strip(login.pathname),
  };
}

/** Creates a dedicated SDK client for one OAuth client. Never touches the SDK's process-wide singleton. */
export function createSdkClient(opts: SdkClientOptions): SdkClient {
  const Ctor = (platformClient as unknown as { ApiClientClass: new () => SdkApiClient }).ApiClientClass;
  const api = new Ctor();
  // Stop the ~/.genesyscloudjavascript/config watcher and forget the file, so nothing re-applies its gateway or
  // logging settings later; then force SDK logging off (its trace/error logs include request headers).
  api.config.live_reload_config = false;
  api.config.setConfigPath('');
  api.config.logger.log_level = 'none';
  api.config.logger.log_to_console = false;
  api.config.logger.setLogger();
  api.setReturnExtendedResponses(true);
  (api as unknown as { timeout: number }).timeout = opts.timeoutMs ?? 16_000;

  let apiBase: string;
  if ('environment' in opts.target) {
    api.config.gateway = undefined;
    api.setEnvironment(opts.target.environment);
    apiBase = api.config.basePath;
  } else {
    api.setGateway(gatewayFor(opts.target.apiBase, opts.target.loginBase));
    apiBase = opts.target.apiBase.replace(/\/+$/, '');
  }

  return {
    api,
    apiBase,
    async loginClientCredentials(clientId, clientSecret) {
      let auth: { accessToken?: unknown; tokenExpiryTime?: unknown };
      try {
        auth = await api.loginClientCredentialsGrant(clientId, clientSecret);
      } catch (e) {
        const err = toGenesysError('auth.login', e);
        // A rejected login (400/401) means bad client credentials.
        if (err.code === 'GENESYS_BAD_REQUEST') {
          throw new GenesysError(
            'GENESYS_UNAUTHORIZED',
            'auth.login: client credentials rejected',
            err.details,
          );
        }
        throw err;
      }
      if (typeof auth.accessToken !== 'string' || typeof auth.tokenExpiryTime !== 'number') {
        throw new GenesysError('GENESYS_UNEXPECTED_RESPONSE', 'auth.login: no access token in the response');
      }
      return { accessToken: auth.accessToken, expiresInMs: Math.max(0, auth.tokenExpiryTime - Date.now()) };
    },
    setAccessToken(token) {
      api.setAccessToken(token);
    },
    async invoke<T>(operation: string, call: () => Promise<T>): Promise<PacedResult<T>> {
      let res: unknown;
      try {
        res = await call();
      } catch (e) {
        throw toGenesysError(operation, e);
      }
      if (!isExtended(res)) return { value: res as T };
      const rateLimit = parseRateLimit(res.headers);
      const correlationId = header(res.headers, 'inin-correlation-id');
      // The SDK types the call as resolving with the body; with extended responses on it resolves the envelope.
      const value = (res.body === '' ? undefined : res.body) as T;
      return {
        value,
        status: res.status,
        ...(rateLimit === undefined ? {} : { rateLimit }),
        ...(correlationId === undefined ? {} : { correlationId }),
      };
    },
  };
}
