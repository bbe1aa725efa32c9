import type { Logger } from 'pino';
import { GenesysError } from '../errors.js';
import type { ChannelSlot } from './channel-slot.js';
import { planShards } from './shard-planner.js';
import type { UnitRegistry } from './unit-registry.js';
import type { WfmGating } from './wfm-gating.js';

export interface ReconcilerDeps {
  readonly units: UnitRegistry;
  readonly wfm: WfmGating;
  /** The pool's slots: the reconciler adds new ones and removes emptied ones in place. */
  readonly slots: ChannelSlot[];
  readonly newSlot: () => ChannelSlot;
  readonly maxChannels: number;
  readonly maxTopics: number;
  readonly log: Logger;
  /** Before start, only the plan is made (nothing is subscribed). */
  readonly started: () => boolean;
  readonly closed: () => boolean;
  /** Units that fit on no channel at the last reconciliation. */
  readonly onUnplaced: (keys: readonly string[]) => void;
}

/**
 * Makes the channels match the wanted units: plans the shards (units already placed stay on their channel),
 * moves units in and out of slots, closes emptied slots and opens new ones. Runs one reconciliation at a time;
 * each call resolves when its own run is done. Rejects with GENESYS_CAPACITY_EXCEEDED (`details.agentIds`) for
 * units that fit nowhere, after applying every other unit.
 */
export function createReconciler(deps: ReconcilerDeps): () => Promise<void> {
  const { units, slots, maxChannels, maxTopics, log } = deps;
  let chain: Promise<unknown> = Promise.resolve();

  const run = async () => {
    if (deps.closed()) throw new GenesysError('GENESYS_CLOSED', 'channel pool closed');
    const plan = planShards({
      channels: slots.map((s) => ({ id: s.id, units: [...s.units] })),
      topicCounts: units.topicCounts(deps.wfm.isOn),
      maxTopicsPerChannel: maxTopics,
      maxChannels,
    });
    deps.onUnplaced(plan.unplaced);
    if (deps.started()) {
      const work: Promise<void>[] = [];
      for (const slot of [...slots]) {
        const want = new Set(plan.channels.get(slot.id) ?? []);
        const removed = [...slot.units].filter((k) => !want.has(k));
        const added = [...want].filter((k) => !slot.units.has(k));
        if (want.size === 0) {
          slot.close();
          slots.splice(slots.indexOf(slot), 1);
          continue;
        }
        work.push(
          (async () => {
            if (removed.length > 0) await slot.removeUnits(removed);
            if (added.length > 0) await slot.addUnits(added);
          })(),
        );
      }
      for (const keys of plan.newChannels) {
        const slot = deps.newSlot();
        slots.push(slot);
        work.push(slot.addUnits(keys).then(() => slot.start()));
      }
      const results = await Promise.allSettled(work);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    if (plan.unplaced.length > 0) {
      const agentIds = units.idsOf(plan.unplaced, 'agent');
      log.error({ unplaced: plan.unplaced.length, maxChannels, maxTopics }, 'subscription capacity exceeded');
      throw new GenesysError(
        'GENESYS_CAPACITY_EXCEEDED',
        `${plan.unplaced.length} subscription units do not fit in ${maxChannels} channels of ${maxTopics} topics`,
        { agentIds },
      );
    }
  };

  return () => {
    const p = chain.then(run);
    chain = p.catch(() => undefined);
    return p;
  };
}
