/** One problem found in a scenario file: where (`path`, dotted) and what. */
export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

/** Error codes of the scenario module. */
export type ScenarioErrorCode = 'SCENARIO_NOT_FOUND' | 'SCENARIO_UNREADABLE' | 'SCENARIO_INVALID';

/** A scenario that cannot be loaded; `issues` lists every validation problem at once. */
export class ScenarioError extends Error {
  constructor(
    readonly code: ScenarioErrorCode,
    message: string,
    readonly issues: readonly ScenarioIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(
      issues.length > 0
        ? `${message}\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`
        : message,
      options,
    );
    this.name = 'ScenarioError';
  }
}
