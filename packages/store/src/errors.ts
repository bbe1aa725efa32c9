/**
 * The store's error catalogue. Every error carries a stable `code` that callers may switch on and an
 * optional `cause`. Boundaries (admin API, logs, metrics) translate these; the store never logs.
 */

export type StoreErrorCode =
  | 'STORE_INVALID_INPUT'
  | 'STORE_STALE_VERSION'
  | 'STORE_STALE_FENCE'
  | 'STORE_LEASE_LOST'
  | 'STORE_SCRIPT_LOAD'
  | 'STORE_SCRIPT_RESULT'
  | 'STORE_CORRUPT_DATA';

/** Base class of every error thrown by `@lockstep/store`. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An argument (id, number, payload) is unusable; nothing was written. */
export class InvalidInputError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_INVALID_INPUT', message, options);
  }
}

/** Compare-and-set failed: the agent's stored version is not the one the caller read. Nothing was written. */
export class StaleVersionError extends StoreError {
  readonly agentId: string;
  readonly expected: number;
  readonly actual: number;

  constructor(agentId: string, expected: number, actual: number) {
    super('STORE_STALE_VERSION', `agent ${agentId}: expected version ${expected} but found ${actual}`);
    this.agentId = agentId;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The caller's fencing token is not current: its lease lapsed or changed hands (`storedFence` is then the
 * lease's current token, 0 when free), or a newer holder of the same lease already wrote this agent.
 * Nothing was written.
 */
export class StaleFenceError extends StoreError {
  readonly agentId: string;
  readonly fence: number;
  readonly storedFence: number;

  constructor(agentId: string, fence: number, storedFence: number) {
    super(
      'STORE_STALE_FENCE',
      `agent ${agentId}: fencing token ${fence} is not current (current ${storedFence})`,
    );
    this.agentId = agentId;
    this.fence = fence;
    this.storedFence = storedFence;
  }
}

/** The lease expired or belongs to someone else (renewing a lease the caller no longer holds). */
export class LeaseLostError extends StoreError {
  readonly lease: string;

  constructor(lease: string, owner: string) {
    super('STORE_LEASE_LOST', `lease ${lease} is no longer held by ${owner}`);
    this.lease = lease;
  }
}

/** A Lua script file could not be read at startup. */
export class ScriptLoadError extends StoreError {
  constructor(script: string, options?: { cause?: unknown }) {
    super('STORE_SCRIPT_LOAD', `cannot load Lua script ${script}`, options);
  }
}

/** A script answered something its contract does not allow (a bug or a foreign write to our keys). */
export class ScriptResultError extends StoreError {
  constructor(script: string, result: unknown) {
    super('STORE_SCRIPT_RESULT', `script ${script} returned an unexpected result: ${safeDescribe(result)}`);
  }
}

/** A stored document could not be decoded. */
export class CorruptDataError extends StoreError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('STORE_CORRUPT_DATA', `stored data is corrupt: ${what}`, options);
  }
}

/** Context a script call needs to build a precise error. */
export interface ScriptCallContext {
  readonly agentId?: string;
  readonly expectedVersion?: number;
  readonly fence?: number;
  readonly lease?: string;
  readonly owner?: string;
}

/**
 * The ONE place that turns script status codes into typed errors. Scripts answer a non-negative status
 * on success; negative codes are failures:
 * - `-1` stale version (`detail` = stored version)
 * - `-2` stale fencing token (`detail` = stored token)
 * - `-3` lease not held by the caller
 * Returns `undefined` for a non-negative (successful) code.
 */
export function errorFromScriptCode(
  script: string,
  code: number,
  detail: number,
  ctx: ScriptCallContext,
): StoreError | undefined {
  if (code >= 0) return undefined;
  switch (code) {
    case -1:
      return new StaleVersionError(ctx.agentId ?? '?', ctx.expectedVersion ?? -1, detail);
    case -2:
      return new StaleFenceError(ctx.agentId ?? '?', ctx.fence ?? -1, detail);
    case -3:
      return new LeaseLostError(ctx.lease ?? '?', ctx.owner ?? '?');
    default:
      return new ScriptResultError(script, code);
  }
}

function safeDescribe(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
