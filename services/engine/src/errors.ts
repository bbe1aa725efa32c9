/**
 * Error catalogue of the engine service. Every error carries a stable `code`; boundaries (startup, CLI, logs,
 * metrics) rely on the code, messages are for humans.
 */

/** Stable codes of every error the engine throws. */
export type EngineErrorCode =
  | 'ENGINE_CONFIG_INVALID'
  | 'ENGINE_SELECTOR_INVALID'
  | 'ENGINE_CLOSED'
  | 'ENGINE_COMMIT_CONFLICTS'
  | 'ENGINE_USAGE'
  | 'ENGINE_NOT_LEADER'
  | 'ENGINE_STARTUP_FAILED';

/** Base class of every engine error. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The configuration is invalid. `problems` lists EVERY problem found (`VARIABLE: message`), not just the first. */
export class ConfigError extends EngineError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ENGINE_CONFIG_INVALID', `invalid engine configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** An agent selector item is invalid (see `parseSelector`). */
export class SelectorError extends EngineError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ENGINE_SELECTOR_INVALID', `invalid agent selector: ${problems.join('; ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** The engine was used after `close()`. */
export class ClosedError extends EngineError {
  constructor(what: string) {
    super('ENGINE_CLOSED', `${what}: the engine is closed`);
  }
}

/** Bad command-line usage of the CLI. */
export class UsageError extends EngineError {
  constructor(message: string) {
    super('ENGINE_USAGE', message);
  }
}

/** Every commit attempt of an agent hit a version conflict (another writer keeps changing it). */
export class CommitConflictError extends EngineError {
  constructor(agentId: string, attempts: number) {
    super('ENGINE_COMMIT_CONFLICTS', `agent ${agentId}: ${attempts} commit attempts hit version conflicts`);
  }
}

/**
 * This engine cannot prove that it holds its shard lease (not acquired, lost, or past its local deadline):
 * nothing that changes Redis, Genesys or pages a person may go out.
 */
export class NotLeaderError extends EngineError {
  readonly lease: string;

  constructor(lease: string, what: string) {
    super('ENGINE_NOT_LEADER', `${what}: this engine does not hold lease ${lease} now`);
    this.lease = lease;
  }
}

/** A fatal start-up problem outside the configuration (Redis unreachable or refusing our credentials, a timeout). */
export class StartupError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENGINE_STARTUP_FAILED', message, options);
  }
}
