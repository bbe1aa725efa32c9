import type { DesiredState } from './declarations/types.js';
import type { OpenFinding } from './findings.js';
import type { RuleId } from './policy.js';
import type { Declaration, WfmAvailability } from './rules/types.js';
import type { AgentSignals } from './signals.js';

/** Operator-facing status of the agent (mirrors the machine's `status` region). */
export type AgentStatus =
  | 'unknown'
  | 'offline'
  | 'available'
  | 'onQueue.idle'
  | 'onQueue.interacting'
  | 'onQueue.notResponding'
  | 'onQueue.notRoutable'
  | 'onQueue.unknown';

/** Desync health (mirrors the machine's `health` region). */
export type AgentHealth = 'inSync' | 'suspect' | 'desynced';

/**
 * The machine context: everything known about one agent. JSON-safe and bounded (at most one open finding per
 * rule, at most `MAX_EPISODES` episodes, at most `maxPerWindow` correction times).
 */
export interface AgentContext {
  readonly agentId: string;
  /** Evaluation clock: max of every event time and tick seen (epoch ms). Never goes back. */
  readonly clock: number;
  readonly wfm: WfmAvailability;
  readonly signals: AgentSignals;
  /** NOT_RESPONDING episode start times, newest first, within the repeated-episode window. */
  readonly episodes: readonly number[];
  readonly declared: Declaration | null;
  /** The declared desired state and its outcome (see `declarations/`), or `null`. */
  readonly desired: DesiredState | null;
  readonly findings: { readonly [R in RuleId]?: OpenFinding };
  /** `notBefore` of recent correction intents (flap guard), oldest first. */
  readonly corrections: readonly number[];
  /** Earliest instant a TICK could change anything, or `null`. */
  readonly deadline: number | null;
  readonly status: AgentStatus;
  readonly health: AgentHealth;
}

/** A fresh context for an agent nothing is known about yet. */
export function initialContext(agentId: string, now: number): AgentContext {
  return {
    agentId,
    clock: now,
    wfm: 'enabled',
    signals: {},
    episodes: [],
    declared: null,
    desired: null,
    findings: {},
    corrections: [],
    deadline: null,
    status: 'unknown',
    health: 'inSync',
  };
}

/** The operator-facing status implied by the merged signals. Pure. */
export function statusOf(signals: AgentSignals): AgentStatus {
  const presence = signals.presence?.value.system;
  if (presence === undefined) return 'unknown';
  if (presence === 'OFFLINE') return 'offline';
  if (presence !== 'ON_QUEUE') return 'available';
  switch (signals.routing?.value) {
    case 'IDLE':
      return 'onQueue.idle';
    case 'INTERACTING':
    case 'COMMUNICATING':
      return 'onQueue.interacting';
    case 'NOT_RESPONDING':
      return 'onQueue.notResponding';
    case 'OFF_QUEUE':
      return 'onQueue.notRoutable';
    default:
      return 'onQueue.unknown';
  }
}
