import { z } from 'zod';
import { PolicyError, type Problem } from './errors.js';
import { ACTIVITY_CATEGORIES, SYSTEM_PRESENCES } from './presence.js';

/** Identifiers of the rule catalogue, in evaluation order. */
export const RULE_IDS = [
  'on-queue-not-routable',
  'stuck-not-responding',
  'repeated-not-responding',
  'on-queue-without-station',
  'routable-while-offline',
  'out-of-adherence-on-queue',
  'on-queue-during-scheduled-off',
  'state-not-sticking',
  'adherence-disagrees',
  'on-queue-during-approved-time-off',
  'station-not-up-at-shift-start',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What to do when a rule fires: nothing beyond recording, alert (webhook), or alert and plan a correction. */
export const ACTIONS = ['none', 'alert', 'correct'] as const;
export type RuleAction = (typeof ACTIONS)[number];

const MINUTE = 60_000;
const durationMs = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 60 * MINUTE);

/** Settings every rule has; rule-specific parameters are added beside them. */
function base(defaults: { graceMs: number; severity: Severity; action: RuleAction }) {
  return {
    enabled: z.boolean().default(true),
    graceMs: durationMs.default(defaults.graceMs),
    severity: z.enum(SEVERITIES).default(defaults.severity),
    action: z.enum(ACTIONS).default(defaults.action),
  };
}

const offQueuePresences = SYSTEM_PRESENCES.filter((p) => p !== 'ON_QUEUE');

/** Upper bound of `repeated-not-responding.episodes`; also bounds the episode history kept per agent. */
export const MAX_EPISODES = 10;

/** The policy schema. Every field has a default, so `{}` is a valid policy. Unknown keys are errors. */
export const policySchema = z
  .strictObject({
    rules: z
      .strictObject({
        'on-queue-not-routable': z
          .strictObject({
            ...base({ graceMs: 15_000, severity: 'warning', action: 'correct' }),
            fix: z.enum(['routing-idle', 'reassert-presence']).default('routing-idle'),
          })
          .prefault({}),
        'stuck-not-responding': z
          .strictObject(base({ graceMs: 30_000, severity: 'warning', action: 'correct' }))
          .prefault({}),
        'repeated-not-responding': z
          .strictObject({
            ...base({ graceMs: 0, severity: 'critical', action: 'alert' }),
            episodes: z.number().int().min(2).max(MAX_EPISODES).default(3),
            windowMs: durationMs.min(1).default(10 * MINUTE),
          })
          .prefault({}),
        'on-queue-without-station': z
          .strictObject(base({ graceMs: 20_000, severity: 'critical', action: 'alert' }))
          .prefault({}),
        'routable-while-offline': z
          .strictObject({
            ...base({ graceMs: 30_000, severity: 'critical', action: 'correct' }),
            presences: z
              .array(z.enum(SYSTEM_PRESENCES).exclude(['ON_QUEUE']))
              .default([...offQueuePresences]),
          })
          .prefault({}),
        'out-of-adherence-on-queue': z
          .strictObject(base({ graceMs: 5 * MINUTE, severity: 'info', action: 'alert' }))
          .prefault({}),
        'on-queue-during-scheduled-off': z
          .strictObject({
            ...base({ graceMs: 2 * MINUTE, severity: 'warning', action: 'alert' }),
            categories: z
              .array(z.enum(ACTIVITY_CATEGORIES).exclude(['OnQueueWork']))
              .default(['Break', 'Meal', 'Meeting', 'Training', 'TimeOff']),
          })
          .prefault({}),
        'state-not-sticking': z
          .strictObject({
            ...base({ graceMs: 0, severity: 'warning', action: 'alert' }),
            windowMs: durationMs.min(1).default(2 * MINUTE),
          })
          .prefault({}),
        'adherence-disagrees': z
          .strictObject(base({ graceMs: 3 * MINUTE, severity: 'info', action: 'alert' }))
          .prefault({}),
        'on-queue-during-approved-time-off': z
          .strictObject(base({ graceMs: 2 * MINUTE, severity: 'warning', action: 'alert' }))
          .prefault({}),
        'station-not-up-at-shift-start': z
          .strictObject(base({ graceMs: 90_000, severity: 'critical', action: 'alert' }))
          .prefault({}),
      })
      .prefault({}),
    corrections: z
      .strictObject({
        /** Flap guard: at most this many corrections per agent within `windowMs`. */
        maxPerWindow: z.number().int().min(1).max(100).default(3),
        windowMs: durationMs.min(1).default(15 * MINUTE),
        /** Minimum time between two corrections of the same agent. */
        minSpacingMs: durationMs.default(30_000),
        /** A finding still open this long after its last correction gets another one (subject to the guard). */
        retryAfterMs: durationMs.min(1).default(2 * MINUTE),
      })
      .prefault({}),
    declarations: z
      .strictObject({
        /**
         * Presence sources people change presence through (Genesys Cloud's own UI and API is `PURECLOUD`): a
         * change of a declared state from one of them is the agent's or a supervisor's own choice, unless it is
         * a stale restore (see `fightWindowMs`). Changes from any other source are systems fighting.
         */
        deliberateSources: z.array(z.string().min(1).max(100)).max(50).default(['PURECLOUD']),
        /**
         * A change back to the presence held before, landing within this time of the declared state being
         * confirmed, is a client or system restoring stale state (systems fighting), whatever its source.
         */
        fightWindowMs: durationMs.default(10_000),
      })
      .prefault({}),
  })
  .prefault({});

type PolicyShape = z.output<typeof policySchema>;
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A validated, deeply frozen policy. Build it with {@link parsePolicy}. */
export type Policy = DeepReadonly<PolicyShape>;
export type RulePolicy<R extends RuleId> = Policy['rules'][R];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function toProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return { path, message: `${issue.message}${keys}` };
  });
}

/**
 * Validates a policy and fills every default. Pure. Returns a deeply frozen policy, or throws `PolicyError`
 * (code `POLICY_INVALID`) whose `problems` list EVERY problem found (path + message), not just the first.
 */
export function parsePolicy(input: unknown): Policy {
  const result = policySchema.safeParse(input);
  if (!result.success) throw new PolicyError(toProblems(result.error));
  return deepFreeze(result.data);
}

/** The policy with every default. */
export const DEFAULT_POLICY: Policy = parsePolicy({});
