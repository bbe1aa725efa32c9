import { PolicyError } from './errors.js';
import { type Policy, parsePolicy, type RuleId } from './policy.js';
/** Per-rule settings changed at run time, by rule id. */
export type RuleOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * `base` with the run-time overrides applied, validated by the policy schema. An override the schema refuses is
 * left out (and named in `refused`) so one bad entry never disables every rule. Pure.
 */
export function applyRuleOverrides(
  base: Policy,
  overrides: RuleOverrides,
): { policy: Policy; refused: string[] } {
  let policy = base;
  const refused: string[] = [];
  for (const [ruleId, override] of Object.entries(overrides)) {
    if (!(ruleId in base.rules)) {
      refused.push(ruleId);
      continue;
    }
    try {
      policy = parsePolicy({
        ...policy,
        rules: { ...policy.rules, [ruleId]: { ...policy.rules[ruleId as RuleId], ...override } },
      });
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      refused.push(ruleId);
    }
  }
  return { policy, refused };
}
