import type { Logger } from 'pino';
import type { WfmGate } from './resync.js';

export interface WfmGateDeps {
  /** WFM wanted by configuration (`LOCKSTEP_WFM`). */
  readonly configured: boolean;
  readonly logger: Logger;
  readonly now: () => number;
  /** Feeds `WFM_DISABLED` to these agents. */
  readonly disable: (agentIds: readonly string[], at: number) => void;
}

/**
 * WFM availability. WFM is off when configured off or once the platform refuses it (403 on a WFM read, or
 * rejected WFM topics): every tracked agent then gets `WFM_DISABLED` once (rules needing WFM stop firing), and
 * agents discovered later get it when they are tracked. One warning is logged, not one per agent.
 */
export interface EngineWfmGate extends WfmGate {
  /** The pool dropped WFM topics of these agents. */
  disabledFor(agentIds: readonly string[]): void;
  /** New agents are tracked. */
  track(agentIds: readonly string[]): void;
  forget(agentId: string): void;
}

export function createWfmGate(deps: WfmGateDeps): EngineWfmGate {
  const log = deps.logger.child({ component: 'wfm' });
  let globallyOff = !deps.configured;
  let warned = false;
  const tracked = new Set<string>();
  const disabled = new Set<string>();

  function disableAgents(agentIds: Iterable<string>): void {
    const fresh: string[] = [];
    for (const id of agentIds) {
      if (disabled.has(id)) continue;
      disabled.add(id);
      fresh.push(id);
    }
    if (fresh.length > 0) deps.disable(fresh, deps.now());
  }

  function warnOnce(agents: number, why: string): void {
    if (warned || !deps.configured) return;
    warned = true;
    log.warn({ agents }, `WFM is unavailable (${why}): WFM rules are disabled for the agents concerned`);
  }

  return {
    enabled: () => !globallyOff,
    forbidden(agentIds) {
      globallyOff = true;
      warnOnce(tracked.size, 'the OAuth client lacks WFM permissions');
      disableAgents(agentIds);
      disableAgents(tracked);
    },
    disabledFor(agentIds) {
      warnOnce(agentIds.length, 'WFM topics were rejected');
      disableAgents(agentIds);
    },
    track(agentIds) {
      for (const id of agentIds) tracked.add(id);
      if (globallyOff) disableAgents(agentIds);
    },
    forget(agentId) {
      tracked.delete(agentId);
      disabled.delete(agentId);
    },
  };
}
