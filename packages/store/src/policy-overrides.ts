import type { Keys } from './keys.js';
import { validateId } from './keys.js';
import type { RedisClient } from './scripts.js';

/** Per-rule policy settings changed at run time (e.g. `{ graceMs, severity, action, enabled }`). */
export type RuleOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Run-time rule overrides, shared by the admin API (writes) and every engine (watches). The store keeps them
 * as JSON documents per rule and does not interpret them; callers validate them against the policy schema.
 */
export interface PolicyOverrides {
  read(): Promise<RuleOverrides>;
  /** Replaces the override of one rule. */
  write(ruleId: string, override: Readonly<Record<string, unknown>>): Promise<void>;
}

export function createPolicyOverrides(options: { redis: RedisClient; keys: Keys }): PolicyOverrides {
  const key = options.keys.policyOverrides();
  return {
    async read() {
      const all = await options.redis.hgetall(key);
      const out: Record<string, Readonly<Record<string, unknown>>> = {};
      for (const [ruleId, text] of Object.entries(all)) {
        try {
          const value = JSON.parse(text) as unknown;
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
            out[ruleId] = value as Record<string, unknown>;
          }
        } catch {
          // A corrupt entry is ignored: the rule keeps the policy it had.
        }
      }
      return out;
    },
    async write(ruleId, override) {
      await options.redis.hset(key, validateId('rule id', ruleId), JSON.stringify(override));
    },
  };
}
