import type { Logger } from 'pino';
import type { SubscriptionResult } from '../api-notifications.js';
import { isWfmTopic, topicUnitKey } from '../topics.js';
import type { UnitRegistry } from './unit-registry.js';

/**
 * Decides which units keep their WFM topics. A client without WFM permissions gets its WFM topics rejected (or a
 * 403 on subscribe): those units go on without WFM, and the application hears of it once per batch through
 * `onDisabled`.
 */
export interface WfmGating {
  /** Whether this unit's WFM topics are wanted. */
  isOn(key: string): boolean;
  /** Units whose WFM is off (unit keys). */
  disabledKeys(): ReadonlySet<string>;
  /** Inspects a subscribe result: rejected WFM topics turn WFM off for their units; others are logged. */
  onSubscribed(result: SubscriptionResult): void;
  /** A subscribe got 403: WFM off for these units. Returns false if none had WFM topics on (no retry). */
  onForbidden(keys: readonly string[]): boolean;
  /** Forgets a removed unit. */
  forget(key: string): void;
}

export interface WfmGatingDeps {
  readonly units: UnitRegistry;
  readonly log: Logger;
  readonly onDisabled: (agentIds: readonly string[], managementUnitIds: readonly string[]) => void;
}

export function createWfmGating(deps: WfmGatingDeps): WfmGating {
  const { units, log } = deps;
  const disabled = new Set<string>();
  let warned = false;

  const withWfmOn = (keys: Iterable<string>) =>
    [...keys].filter((k) => !disabled.has(k) && units.hasWfmTopics(k));

  const disable = (keys: Iterable<string>) => {
    const fresh = withWfmOn(keys);
    if (fresh.length === 0) return;
    for (const k of fresh) disabled.add(k);
    const agentIds = units.idsOf(fresh, 'agent');
    const muIds = units.idsOf(fresh, 'managementUnit');
    if (!warned) {
      warned = true;
      // Info, not warn: the pool reports through onWfmDisabled and the application owns the one warning.
      log.info(
        { agents: agentIds.length, managementUnits: muIds.length },
        'WFM topics rejected: continuing without WFM for these agents',
      );
    } else {
      log.debug({ agents: agentIds.length, managementUnits: muIds.length }, 'WFM topics rejected');
    }
    deps.onDisabled(agentIds, muIds);
  };

  return {
    isOn: (key) => !disabled.has(key),
    disabledKeys: () => disabled,
    onSubscribed(result) {
      if (result.rejected.length === 0) return;
      const wfmKeys: string[] = [];
      for (const r of result.rejected) {
        const key = topicUnitKey(r.topic);
        if (isWfmTopic(r.topic) && key !== undefined) wfmKeys.push(key);
        else log.warn({ topic: r.topic, reason: r.reason }, 'topic rejected');
      }
      disable(wfmKeys);
    },
    onForbidden(keys) {
      const fresh = withWfmOn(keys);
      disable(fresh);
      return fresh.length > 0;
    },
    forget: (key) => void disabled.delete(key),
  };
}
