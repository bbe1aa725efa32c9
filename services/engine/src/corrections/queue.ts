import type { FreshAgent } from './fresh-state.js';
import type { ReceivedIntent } from './priority.js';
import type { CorrectionRequest, RequestResult } from './request.js';

/** One intent in the executor, with its progress. Mutable: owned by the executor. */
export interface Job {
  readonly intent: ReceivedIntent;
  readonly fence: number;
  readonly priority: number;
  dueAt: number;
  seq: number;
  phase: 'guard' | 'confirm';
  sends: number;
  errors: number;
  claimed: boolean;
  deferredSince: number | null;
  deferredAudited: boolean;
  before: FreshAgent | null;
  request: CorrectionRequest | null;
  result: RequestResult | null;
  sentAt: number;
  /**
   * When the engine's stored presence and routing status were last seen before the request left (platform
   * time): a committed state confirms the correction only with a newer observation.
   */
  seenBefore: { presence: number; routing: number } | null;
  /** Settled (applied, failed, dropped): nothing more is done for it. */
  done: boolean;
}

/** A job for an intent just received: waiting for its guards from `dueAt`, nothing done yet. */
export function newJob(intent: ReceivedIntent, fence: number, priority: number, dueAt: number): Job {
  return {
    intent,
    fence,
    priority,
    dueAt,
    seq: 0,
    phase: 'guard',
    sends: 0,
    errors: 0,
    claimed: false,
    deferredSince: null,
    deferredAudited: false,
    before: null,
    request: null,
    result: null,
    sentAt: 0,
    seenBefore: null,
    done: false,
  };
}

/**
 * The executor's waiting intents: at most one per agent and finding (a newer intent of a finding replaces the
 * older one), taken by priority, then due time, then arrival, skipping agents already being worked on.
 */
export interface JobQueue {
  put(job: Job): void;
  takeDue(now: number, busyAgents: ReadonlySet<string>): Job | undefined;
  nextDue(busyAgents: ReadonlySet<string>): number | undefined;
  dropFinding(agentId: string, findingId: string): void;
  /** Takes `job` out if it is waiting; `false` when it is not (running, or gone). */
  remove(job: Job): boolean;
  size(): number;
  clear(): void;
}

export function createJobQueue(): JobQueue {
  const jobs = new Map<string, Job>();
  let seq = 0;
  const keyOf = (j: Job) => `${j.intent.agentId}\u0000${j.intent.findingId}`;
  return {
    put(job) {
      const key = keyOf(job);
      const existing = jobs.get(key);
      // An older intent of the same finding never replaces a newer one (attempts only grow).
      if (existing !== undefined && existing !== job && existing.intent.attempt > job.intent.attempt) return;
      job.seq = existing === job ? job.seq : ++seq;
      jobs.set(key, job);
    },
    takeDue(now, busyAgents) {
      let best: Job | undefined;
      for (const j of jobs.values()) {
        if (j.dueAt > now || busyAgents.has(j.intent.agentId)) continue;
        if (
          best === undefined ||
          j.priority < best.priority ||
          (j.priority === best.priority &&
            (j.dueAt < best.dueAt || (j.dueAt === best.dueAt && j.seq < best.seq)))
        )
          best = j;
      }
      if (best !== undefined) jobs.delete(keyOf(best));
      return best;
    },
    nextDue(busyAgents) {
      let next: number | undefined;
      for (const j of jobs.values()) {
        if (busyAgents.has(j.intent.agentId)) continue;
        if (next === undefined || j.dueAt < next) next = j.dueAt;
      }
      return next;
    },
    dropFinding(agentId, findingId) {
      jobs.delete(`${agentId}\u0000${findingId}`);
    },
    remove(job) {
      const key = keyOf(job);
      if (jobs.get(key) !== job) return false;
      jobs.delete(key);
      return true;
    },
    size: () => jobs.size,
    clear: () => jobs.clear(),
  };
}
