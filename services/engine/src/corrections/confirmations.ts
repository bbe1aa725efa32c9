import type { AgentSignals } from '@lockstep/domain';
import type { Job } from './queue.js';
import { confirmedBySignals } from './state-checks.js';

/**
 * The sent corrections waiting for their confirmation, by agent: what the engine's committed states are checked
 * against. Owned by the executor (not shared between processes).
 */
export interface Confirmations {
  /** `job` was sent and waits to be confirmed. */
  wait(job: Job): void;
  /** `job` no longer waits (settled, dropped, or guarded again for another send). Idempotent. */
  stop(job: Job): void;
  /** Stops the waits of a finding's jobs; with `olderThan`, only of intents of a lower attempt. */
  dropFinding(agentId: string, findingId: string, olderThan?: number): void;
  /** Jobs of `agentId` whose intended state `signals` show from an observation newer than their send. */
  confirmedBy(agentId: string, signals: AgentSignals): Job[];
  clear(): void;
}

export function createConfirmations(): Confirmations {
  const byAgent = new Map<string, Set<Job>>();
  const stop = (job: Job): void => {
    const set = byAgent.get(job.intent.agentId);
    set?.delete(job);
    if (set?.size === 0) byAgent.delete(job.intent.agentId);
  };
  return {
    wait(job) {
      const id = job.intent.agentId;
      const set = byAgent.get(id) ?? new Set<Job>();
      set.add(job);
      byAgent.set(id, set);
    },
    stop,
    dropFinding(agentId, findingId, olderThan) {
      for (const job of byAgent.get(agentId) ?? []) {
        if (job.intent.findingId !== findingId) continue;
        if (olderThan === undefined || job.intent.attempt < olderThan) stop(job);
      }
    },
    confirmedBy(agentId, signals) {
      const jobs = byAgent.get(agentId);
      if (jobs === undefined) return [];
      return [...jobs].filter(
        (job) =>
          job.phase === 'confirm' &&
          job.seenBefore !== null &&
          confirmedBySignals(job.intent, signals, job.seenBefore),
      );
    },
    clear: () => byAgent.clear(),
  };
}
