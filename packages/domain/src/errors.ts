/**
 * Error catalogue of `@lockstep/domain`. Every error carries a stable `code` that boundaries (HTTP, logs,
 * metrics) may rely on; messages are for humans and may change.
 */

/** Stable codes of every error this package throws. */
export type DomainErrorCode =
  'DOMAIN_POLICY_INVALID' | 'DOMAIN_PRESENCE_UNKNOWN' | 'DOMAIN_SNAPSHOT_INVALID' | 'DOMAIN_EVENT_INVALID';

/** One problem found while validating input: where (`path`, dot-joined) and what. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Base class of every error thrown by this package. */
export class DomainError extends Error {
  readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

function describe(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('; ');
}

/** The policy input is invalid. `problems` lists EVERY problem found, not just the first. */
export class PolicyError extends DomainError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super('DOMAIN_POLICY_INVALID', `invalid policy: ${describe(problems)}`);
    this.name = 'PolicyError';
    this.problems = Object.freeze([...problems]);
  }
}

/** A system presence string matches none of the ten Genesys system presences. */
export class UnknownPresenceError extends DomainError {
  readonly input: string;

  constructor(input: string) {
    super('DOMAIN_PRESENCE_UNKNOWN', `unknown system presence: ${JSON.stringify(input.slice(0, 64))}`);
    this.name = 'UnknownPresenceError';
    this.input = input;
  }
}

/** A persisted agent snapshot could not be restored (corrupt, foreign or from an unknown format version). */
export class SnapshotError extends DomainError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], options?: { cause?: unknown }) {
    super('DOMAIN_SNAPSHOT_INVALID', `invalid persisted agent snapshot: ${describe(problems)}`, options);
    this.name = 'SnapshotError';
    this.problems = Object.freeze([...problems]);
  }
}

/** An agent event failed validation (see `parseAgentEvent`). */
export class EventError extends DomainError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super('DOMAIN_EVENT_INVALID', `invalid agent event: ${describe(problems)}`);
    this.name = 'EventError';
    this.problems = Object.freeze([...problems]);
  }
}
