import type { SnapshotFrom, StateValue } from 'xstate';
import type { AgentContext } from './context.js';
import type { CorrectionIntent } from './corrections/types.js';
import type { DeclarationReport } from './declarations/types.js';
import type { Effect } from './effects.js';
import { SnapshotError } from './errors.js';
import type { AgentEvent, MachineEvent } from './events.js';
import type { Finding } from './findings.js';
import { pureInitialSnapshot, pureTransition } from './inert-scope.js';
import type { AgentMachine } from './machine.js';
import { persistedAgentSchema } from './persisted-schema.js';

/** An agent's machine snapshot (in-memory form). */
export type AgentSnapshot = SnapshotFrom<AgentMachine>;

/** The JSON-safe persisted form of an agent (format version 1). Store it as JSON; restore with `restoreAgent`. */
export interface PersistedAgent {
  readonly v: 1;
  readonly value: StateValue;
  readonly context: AgentContext;
}

/** Result of one step. */
export interface StepResult {
  readonly snapshot: AgentSnapshot;
  /** Effects in the order they happened (a finding's `opened` precedes its `correction.intended`). */
  readonly effects: readonly Effect[];
  /** Earliest instant a TICK could change anything (epoch ms), or `null` if nothing is pending. */
  readonly nextDeadline: number | null;
}

/** A fresh snapshot for an agent nothing is known about yet (what xstate's `initialTransition()` returns). Pure. */
export function initialAgentSnapshot(machine: AgentMachine, agentId: string, now: number): AgentSnapshot {
  return pureInitialSnapshot(machine, { agentId, now });
}

/**
 * Feeds one event to an agent. Pure, with the contract of xstate's `transition()` (the input snapshot is not
 * modified, nothing is executed; the effect actions the machine would run come back as typed data). It reuses
 * one inert actor scope per machine instead of building one per call as `transition()` does.
 */
export function stepAgent(machine: AgentMachine, snapshot: AgentSnapshot, event: MachineEvent): StepResult {
  const [next, actions] = pureTransition(machine, snapshot, event);
  const effects: Effect[] = [];
  for (const action of actions) {
    switch (action.type) {
      case 'finding.opened':
      case 'finding.updated':
      case 'finding.resolved':
        effects.push({ type: action.type, finding: (action.params as { finding: Finding }).finding });
        break;
      case 'correction.intended':
        effects.push({ type: action.type, intent: (action.params as { intent: CorrectionIntent }).intent });
        break;
      case 'declaration.applied':
      case 'declaration.deferred':
      case 'declaration.refused':
      case 'declaration.reverted':
      case 'declaration.expired':
      case 'declaration.superseded':
        effects.push({
          type: action.type,
          declaration: (action.params as { declaration: DeclarationReport }).declaration,
        });
        break;
    }
  }
  return { snapshot: next, effects, nextDeadline: next.context.deadline };
}

/**
 * Feeds several events of one agent in ONE machine step (an `EVENTS` batch; a single event goes as itself).
 * Same snapshot context and same effects, in the same order, as calling `stepAgent` for each event in turn.
 * When nothing changed (stale or duplicate events), the result's `snapshot.context` is the input's context
 * object, so callers can skip persisting by identity. Pure.
 */
export function stepAgentEvents(
  machine: AgentMachine,
  snapshot: AgentSnapshot,
  events: readonly AgentEvent[],
): StepResult {
  const [only] = events;
  if (events.length === 1 && only !== undefined) return stepAgent(machine, snapshot, only);
  return stepAgent(machine, snapshot, { type: 'EVENTS', events });
}

/** Earliest instant a TICK could change anything for this agent, or `null`. Pure. */
export function nextDeadline(snapshot: AgentSnapshot): number | null {
  return snapshot.context.deadline;
}

/** The persisted form of a snapshot: plain JSON-safe data (state value + context). Pure. */
export function persistAgent(snapshot: AgentSnapshot): PersistedAgent {
  return { v: 1, value: snapshot.value, context: snapshot.context };
}

/**
 * Restores a snapshot from its persisted form (as parsed from JSON). Validates it first and throws
 * `SnapshotError` (code `SNAPSHOT_INVALID`) listing every problem for corrupt or foreign data.
 */
export function restoreAgent(machine: AgentMachine, persisted: unknown): AgentSnapshot {
  const parsed = persistedAgentSchema.safeParse(persisted);
  if (!parsed.success) {
    throw new SnapshotError(
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  try {
    return machine.resolveState({ value: parsed.data.value as StateValue, context: parsed.data.context });
  } catch (cause) {
    throw new SnapshotError([{ path: 'value', message: 'not a state of the agent machine' }], { cause });
  }
}
