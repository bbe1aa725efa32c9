import { setup } from 'xstate';
import { applyEvent } from './apply-event.js';
import { type AgentContext, type AgentHealth, type AgentStatus, initialContext } from './context.js';
import type { CorrectionIntent } from './corrections/types.js';
import { stepDeclaration } from './declarations/step.js';
import type { DeclarationReport } from './declarations/types.js';
import type { Effect } from './effects.js';
import { evaluate } from './evaluate.js';
import type { AgentEvent, MachineEvent } from './events.js';
import type { Finding } from './findings.js';
import type { Policy } from './policy.js';
import { plannedScheduleSource, type ScheduleSource } from './schedule.js';
import { untrackAgent } from './untrack.js';

/** Input of the machine: which agent, and the clock reading at creation. */
export interface AgentMachineInput {
  readonly agentId: string;
  readonly now: number;
}

/** Options of {@link createAgentMachine}. */
export interface AgentMachineOptions {
  /** Where the scheduled activity comes from (default: the published schedule, else WFM adherence). Must be pure. */
  readonly schedule?: ScheduleSource;
}

const EVENT_TYPES = [
  'SIGNAL',
  'TICK',
  'DECLARE',
  'RESYNC',
  'WFM_DISABLED',
  'WFM_ENABLED',
  'UNTRACKED',
  'EVENTS',
] as const;
const ON_QUEUE = ['idle', 'interacting', 'notResponding', 'notRoutable', 'unknown'] as const;
const STATUSES: readonly AgentStatus[] = [
  'unknown',
  'offline',
  'available',
  ...ON_QUEUE.map((s) => `onQueue.${s}` as const),
];
const HEALTHS: readonly AgentHealth[] = ['inSync', 'suspect', 'desynced'];

interface Outcome {
  readonly context: AgentContext;
  readonly effects: readonly Effect[];
}

/**
 * The outcome of one (context, event) pair, remembered for the step in progress: the guards that pick each
 * region's target and the `ingest` action of the same step all read it, so the domain logic runs once per
 * event. Purely a cache: a miss (another context or event object) recomputes the same deterministic result.
 */
function outcomeCache(compute: (context: AgentContext, event: MachineEvent) => Outcome) {
  let lastContext: AgentContext | null = null;
  let lastEvent: MachineEvent | null = null;
  let last: Outcome | null = null;
  return (context: AgentContext, event: MachineEvent): Outcome => {
    if (last === null || context !== lastContext || event !== lastEvent) {
      last = compute(context, event);
      lastContext = context;
      lastEvent = event;
    }
    return last;
  };
}

// Every event is one microstep: each region takes exactly one of its candidate transitions. The first candidate
// (no target) applies when the evaluated value is unchanged; otherwise the candidate whose guard matches the
// evaluated value moves the region to that leaf. `evaluate` is the single source of truth for `context.status`
// and `context.health`; the state value mirrors them for operators and tooling.
function statusCandidates() {
  return [
    { guard: 'statusKept' as const, actions: 'ingest' as const },
    ...STATUSES.map((value) => ({
      guard: { type: 'statusBecomes' as const, params: { value } },
      target: `#agent.status.${value}`,
      actions: 'ingest' as const,
    })),
  ];
}

function healthCandidates() {
  return [
    { guard: 'healthKept' as const },
    ...HEALTHS.map((value) => ({
      guard: { type: 'healthBecomes' as const, params: { value } },
      target: `#agent.health.${value}`,
    })),
  ];
}

function onEvery<T>(candidates: () => T): Record<(typeof EVENT_TYPES)[number], T> {
  return Object.fromEntries(EVENT_TYPES.map((type) => [type, candidates()])) as Record<
    (typeof EVENT_TYPES)[number],
    T
  >;
}

/**
 * Creates the per-agent machine for a policy. Create it ONCE per policy and reuse it for every agent and step.
 *
 * - Parallel regions: `status` (`unknown`, `offline`, `available` = logged in but not On Queue,
 *   `onQueue.{idle,interacting,notResponding,notRoutable,unknown}`) and `health` (`inSync`, `suspect` = a rule
 *   condition holds but is within its grace, `desynced` = at least one open finding).
 * - Every event is a single microstep that runs the named action `ingest` (merge + evaluate, pure); an `EVENTS`
 *   batch is one microstep too, folding its events exactly as separate steps would. `ingest`
 *   enqueues the named effect actions `finding.opened`, `finding.updated`, `finding.resolved` and
 *   `correction.intended` with their data as params. They do nothing by default: use `stepAgent` (pure) or
 *   wire them with `.provide()` at the edge.
 */
export function createAgentMachine(policy: Policy, options: AgentMachineOptions = {}) {
  const deps = { policy, schedule: options.schedule ?? plannedScheduleSource };
  const one = (context: AgentContext, event: AgentEvent): Outcome => {
    if (event.type === 'UNTRACKED') return untrackAgent(context, event, policy);
    // The declared desired state is stepped before the rules, so its intents count in the same flap guard.
    const declared = stepDeclaration(context, applyEvent(context, event, policy), deps);
    const evaluated = evaluate(declared.context, deps);
    if (declared.effects.length === 0) return evaluated;
    return { context: evaluated.context, effects: [...declared.effects, ...evaluated.effects] };
  };
  const outcome = outcomeCache((context, event): Outcome => {
    if (event.type !== 'EVENTS') return one(context, event);
    // A batch folds exactly like separate steps: merge and evaluate after every event, effects in order.
    let current = context;
    const effects: Effect[] = [];
    for (const single of event.events) {
      const result = one(current, single);
      current = result.context;
      effects.push(...result.effects);
    }
    return { context: current, effects };
  });
  const base = setup({
    types: {} as { context: AgentContext; events: MachineEvent; input: AgentMachineInput },
    actions: {
      'finding.opened': (_args, _params: { finding: Finding }) => {},
      'finding.updated': (_args, _params: { finding: Finding }) => {},
      'finding.resolved': (_args, _params: { finding: Finding }) => {},
      'correction.intended': (_args, _params: { intent: CorrectionIntent }) => {},
      'declaration.applied': (_args, _params: { declaration: DeclarationReport }) => {},
      'declaration.deferred': (_args, _params: { declaration: DeclarationReport }) => {},
      'declaration.refused': (_args, _params: { declaration: DeclarationReport }) => {},
      'declaration.reverted': (_args, _params: { declaration: DeclarationReport }) => {},
      'declaration.expired': (_args, _params: { declaration: DeclarationReport }) => {},
      'declaration.superseded': (_args, _params: { declaration: DeclarationReport }) => {},
    },
    guards: {
      statusKept: ({ context, event }) => outcome(context, event).context.status === context.status,
      statusBecomes: ({ context, event }, params: { value: AgentStatus }) =>
        outcome(context, event).context.status === params.value,
      healthKept: ({ context, event }) => outcome(context, event).context.health === context.health,
      healthBecomes: ({ context, event }, params: { value: AgentHealth }) =>
        outcome(context, event).context.health === params.value,
    },
  });
  const ingest = base.enqueueActions(({ context, event, enqueue }) => {
    const result = outcome(context, event);
    if (result.context !== context) enqueue.assign(() => result.context);
    for (const effect of result.effects) {
      if (effect.type === 'correction.intended')
        enqueue({ type: effect.type, params: { intent: effect.intent } });
      else if ('declaration' in effect)
        enqueue({ type: effect.type, params: { declaration: effect.declaration } });
      else enqueue({ type: effect.type, params: { finding: effect.finding } });
    }
  });
  return base.extend({ actions: { ingest } }).createMachine({
    id: 'agent',
    type: 'parallel',
    context: ({ input }) => initialContext(input.agentId, input.now),
    states: {
      status: {
        initial: 'unknown',
        on: onEvery(statusCandidates),
        states: {
          unknown: {},
          offline: {},
          available: {},
          onQueue: {
            initial: 'unknown',
            states: { idle: {}, interacting: {}, notResponding: {}, notRoutable: {}, unknown: {} },
          },
        },
      },
      health: {
        initial: 'inSync',
        on: onEvery(healthCandidates),
        states: { inSync: {}, suspect: {}, desynced: {} },
      },
    },
  });
}

/** The machine type for a policy. */
export type AgentMachine = ReturnType<typeof createAgentMachine>;
