import { type SubscriptionUnit, unitTopicCount } from '../topics.js';

/**
 * The subscription units the pool should keep subscribed (agents, management units, queues), by unit key. Holds
 * what is wanted, not what is subscribed: the reconciler makes the channels match it.
 */
export interface UnitRegistry {
  get(key: string): SubscriptionUnit | undefined;
  keys(): IterableIterator<string>;
  /** Replaces every unit of `kind` with `next`. */
  replaceKind(kind: SubscriptionUnit['kind'], next: readonly SubscriptionUnit[]): void;
  add(next: readonly SubscriptionUnit[]): void;
  remove(keys: readonly string[]): void;
  /** Whether the unit has WFM topics at all. */
  hasWfmTopics(key: string): boolean;
  /** Topics of these units; WFM topics only where `wfmOn(key)`. Unknown keys are skipped. */
  topicsFor(keys: Iterable<string>, wfmOn: (key: string) => boolean): string[];
  /** Topic count of every unit, WFM topics counted only where `wfmOn(key)`. */
  topicCounts(wfmOn: (key: string) => boolean): Map<string, number>;
  /** Ids of the units of `kind` among `keys`. */
  idsOf(keys: Iterable<string>, kind: SubscriptionUnit['kind']): string[];
}

export function createUnitRegistry(): UnitRegistry {
  const units = new Map<string, SubscriptionUnit>();
  return {
    get: (key) => units.get(key),
    keys: () => units.keys(),
    replaceKind(kind, next) {
      for (const [k, u] of units) if (u.kind === kind) units.delete(k);
      for (const u of next) units.set(u.key, u);
    },
    add(next) {
      for (const u of next) units.set(u.key, u);
    },
    remove(keys) {
      for (const k of keys) units.delete(k);
    },
    hasWfmTopics: (key) => (units.get(key)?.wfm.length ?? 0) > 0,
    topicsFor(keys, wfmOn) {
      const out: string[] = [];
      for (const k of keys) {
        const u = units.get(k);
        if (u === undefined) continue;
        out.push(...u.core);
        if (wfmOn(k)) out.push(...u.wfm);
      }
      return out;
    },
    topicCounts(wfmOn) {
      const counts = new Map<string, number>();
      for (const [k, u] of units) counts.set(k, unitTopicCount(u, wfmOn(k)));
      return counts;
    },
    idsOf(keys, kind) {
      const out: string[] = [];
      for (const k of keys) {
        const u = units.get(k);
        if (u?.kind === kind) out.push(u.id);
      }
      return out;
    },
  };
}
