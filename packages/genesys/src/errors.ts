/**
 * The error catalogue of the Genesys adapter. Every failure that leaves this package is a `GenesysError` with a
 * stable `code`; callers branch on the code, never on messages.
 */

export type GenesysErrorCode =
  /** 429 after the pacer's bounded retries, or a Retry-After longer than the configured ceiling. */
  | 'GENESYS_RATE_LIMITED'
  /** 401 from the API (after one re-login) or a rejected client-credentials login. */
  | 'GENESYS_UNAUTHORIZED'
  /** 403. For WFM endpoints the caller treats this as "WFM is off for this client". */
  | 'GENESYS_FORBIDDEN'
  | 'GENESYS_NOT_FOUND'
  /** 400, 409, 413, 415 and other 4xx the caller must not retry. */
  | 'GENESYS_BAD_REQUEST'
  /** 5xx (after the pacer's bounded retries for 500/502/503/504). */
  | 'GENESYS_UNAVAILABLE'
  /** No HTTP response at all: connection refused, reset, DNS, timeout. */
  | 'GENESYS_NETWORK'
  /** A 2xx response whose body does not have the shape we rely on. */
  | 'GENESYS_UNEXPECTED_RESPONSE'
  /** More topics than the configured channels can carry; `details.agentIds` lists what did not fit. */
  | 'GENESYS_CAPACITY_EXCEEDED'
  /** Invalid options given to a factory. */
  | 'GENESYS_INVALID_OPTIONS'
  /** The component was closed. */
  | 'GENESYS_CLOSED';

export interface GenesysErrorDetails {
  /** HTTP status when there was a response. */
  readonly status?: number;
  /** Genesys `ErrorBody.code`, e.g. `too.many.requests`. */
  readonly apiCode?: string;
  /** `inin-correlation-id` of the failed response. */
  readonly correlationId?: string;
  /** Milliseconds the server asked us to wait (Retry-After / inin-ratelimit-reset on a 429). */
  readonly retryAfterMs?: number;
  /** The adapter operation, e.g. `users.list`. */
  readonly operation?: string;
  /** Agents concerned (capacity errors). */
  readonly agentIds?: readonly string[];
}

/** The one error class of this package. `cause` keeps the original rejection for debugging. */
export class GenesysError extends Error {
  override readonly name = 'GenesysError';
  readonly code: GenesysErrorCode;
  readonly details: GenesysErrorDetails;

  constructor(code: GenesysErrorCode, message: string, details: GenesysErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }

  /** HTTP status of the failed call, if any. */
  get status(): number | undefined {
    return this.details.status;
  }
}

/** Narrowing helper: `isGenesysError(e, 'GENESYS_NOT_FOUND')`. */
export function isGenesysError(err: unknown, code?: GenesysErrorCode): err is GenesysError {
  return err instanceof GenesysError && (code === undefined || err.code === code);
}

/** Maps an HTTP status to the error code the adapter reports. */
export function codeForStatus(status: number): GenesysErrorCode {
  if (status === 401) return 'GENESYS_UNAUTHORIZED';
  if (status === 403) return 'GENESYS_FORBIDDEN';
  if (status === 404) return 'GENESYS_NOT_FOUND';
  if (status === 429) return 'GENESYS_RATE_LIMITED';
  if (status >= 500) return 'GENESYS_UNAVAILABLE';
  return 'GENESYS_BAD_REQUEST';
}
