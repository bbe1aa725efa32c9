import { type ActorScope, createActor, type ExecutableActionsFrom, type SnapshotFrom } from 'xstate';
import type { MachineEvent } from './events.js';
import type { AgentMachine } from './machine.js';

type Action = ExecutableActionsFrom<AgentMachine>;
type Scope = ActorScope<SnapshotFrom<AgentMachine>, MachineEvent>;

interface Collector {
  readonly scope: Scope;
  actions: Action[];
}

const collectors = new WeakMap<AgentMachine, Collector>();

/**
 * An inert actor scope per machine that collects actions instead of executing them: exactly what xstate's
 * pure `transition()` builds, except that `transition()` builds a new one (constructing an actor and its
 * initial snapshot) on EVERY call. Reusing one per machine keeps a step cheap. Safe because transitions are
 * synchronous and the machine spawns no children, schedules no delays and emits nothing.
 */
function collectorFor(machine: AgentMachine): Collector {
  let collector = collectors.get(machine);
  if (collector === undefined) {
    const self = createActor(machine, { input: { agentId: 'inert', now: 0 } });
    const created: Collector = {
      actions: [],
      scope: {
        self,
        id: '',
        sessionId: '',
        logger: () => {},
        defer: () => {},
        emit: () => {},
        system: self.system,
        stopChild: () => {},
        actionExecutor: (action) => {
          created.actions.push(action as Action);
        },
      },
    };
    collector = created;
    collectors.set(machine, collector);
  }
  return collector;
}

/** Same contract as xstate's `transition(machine, snapshot, event)`: the next snapshot and the actions as data. */
export function pureTransition(
  machine: AgentMachine,
  snapshot: SnapshotFrom<AgentMachine>,
  event: MachineEvent,
): [SnapshotFrom<AgentMachine>, Action[]] {
  const collector = collectorFor(machine);
  const actions: Action[] = [];
  collector.actions = actions;
  try {
    return [machine.transition(snapshot, event, collector.scope), actions];
  } finally {
    collector.actions = [];
  }
}

/**
 * Same contract as xstate's `initialTransition(machine, input)[0]`, on the same reused scope. The machine's
 * initial state runs no actions, so nothing is collected.
 */
export function pureInitialSnapshot(
  machine: AgentMachine,
  input: { agentId: string; now: number },
): SnapshotFrom<AgentMachine> {
  const collector = collectorFor(machine);
  collector.actions = [];
  try {
    return machine.getInitialSnapshot(collector.scope, input);
  } finally {
    collector.actions = [];
  }
}
