import type { AgentSnapshot } from '../agent.js';
import { initialAgentSnapshot, stepAgent } from '../agent.js';
import type { Effect } from '../effects.js';
import type { AgentEvent } from '../events.js';
import { type AgentMachine, createAgentMachine } from '../machine.js';
import { parsePolicy } from '../policy.js';
import type { RoutingStatus, SystemPresence } from '../presence.js';
import type { SignalSource, SignalUpdate, SignalValues } from '../signals.js';

/** Test fixtures: event builders and a tiny driver around `stepAgent`. Used by tests only. */

export const AGENT = 'agent-1';
export const T0 = 1_700_000_000_000;

export function signal<K extends keyof SignalValues>(
  name: K,
  value: SignalValues[K],
  at: number,
  source: SignalSource = 'event',
): AgentEvent {
  return { type: 'SIGNAL', update: { signal: name, value, at, source } as SignalUpdate };
}

export const presence = (system: SystemPresence, at: number, definitionId: string | null = null) =>
  signal('presence', { system, definitionId }, at);
export const routing = (status: RoutingStatus, at: number) => signal('routing', status, at);
export const station = (stationId: string | null, at: number) => signal('station', { stationId }, at);
export const interactions = (active: number, acw: number, at: number) =>
  signal('interactions', { active, acw }, at);
export const tick = (now: number): AgentEvent => ({ type: 'TICK', now });

/** Drives one agent through events, collecting every effect. */
export class Driver {
  readonly machine: AgentMachine;
  snapshot: AgentSnapshot;
  readonly effects: Effect[] = [];
  lastDeadline: number | null = null;

  constructor(policy: unknown = {}, now = T0) {
    this.machine = createAgentMachine(parsePolicy(policy));
    this.snapshot = initialAgentSnapshot(this.machine, AGENT, now);
  }

  send(...events: AgentEvent[]): Effect[] {
    const out: Effect[] = [];
    for (const event of events) {
      const result = stepAgent(this.machine, this.snapshot, event);
      this.snapshot = result.snapshot;
      this.lastDeadline = result.nextDeadline;
      out.push(...result.effects);
    }
    this.effects.push(...out);
    return out;
  }

  get open(): string[] {
    return Object.keys(this.snapshot.context.findings).sort();
  }
}

/** Effect types with their rule, e.g. `finding.opened:stuck-not-responding`. */
export function summarize(effects: readonly Effect[]): string[] {
  return effects.map(
    (e) =>
      `${e.type}:${e.type === 'correction.intended' ? e.intent.ruleId : 'declaration' in e ? e.declaration.id : e.finding.ruleId}`,
  );
}
