import type { AgentSignals, Effect } from '@lockstep/domain';

/**
 * The seam where side effects (corrections through the Genesys REST API, and the like) plug in. The pipeline
 * calls `executeCommitted` once per agent and batch, right after the commit that queued `effects` landed under
 * `fence`, in commit order per agent. The commit proves the lease was held when it landed; the executor must
 * still check that the lease is held (the `fence` is current) before it acts, and must not block the pipeline:
 * it queues its work and returns.
 */
export interface EffectsExecutor {
  executeCommitted(agentId: string, effects: readonly Effect[], fence: number): void;
  /** Called after every commit of an agent's state (effects or not), with the signals committed. Never blocks. */
  noteCommitted?(agentId: string, signals: AgentSignals): void;
}

/** The executor used until one is wired: does nothing (effects still reach the outbox streams). */
export const noEffectsExecutor: EffectsExecutor = { executeCommitted() {} };
