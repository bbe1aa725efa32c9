/** The notifier's error catalogue (configuration problems; delivery failures are outcomes, not errors). */
export class NotifierConfigError extends Error {
  readonly code = 'NOTIFIER_CONFIG' as const;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid notifier configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'NotifierConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
