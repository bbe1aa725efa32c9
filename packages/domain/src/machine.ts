import { setup } from 'xstate';
import { applyEvent } from './apply-event.js';
import { type AgentContext, type AgentHealth, type AgentStatus, initialContext } from './context.js';
import type { CorrectionIntent } from './corrections/types.js';
import { evaluate } from './evaluate.js';
import type { AgentEvent } from './events.js';
import type { Finding } from './findings.js';
import type { Policy } from './policy.js';
import { adherenceScheduleSource, type ScheduleSource } from './schedule.js';

/** Input of the machine: which agent, and the clock reading at creation. */
export interface AgentMachineInput {
  readonly agentId: string;
  readonly now: number;
}

/** Options of {@link createAgentMachine}. */
export interface AgentMachineOptions {
  /** Where the scheduled activity comes from (default: WFM adherence signals). Must be pure. */
  readonly schedule?: ScheduleSource;
}

const ON_QUEUE = ['idle', 'interacting', 'notResponding', 'notRoutable', 'unknown'] as const;
const STATUSES: readonly AgentStatus[] = [
  'unknown',
  'offline',
  'available',
  ...ON_QUEUE.map((s) => `onQueue.${s}` as const),
];
const HEALTHS: readonly AgentHealth[] = ['inSync', 'suspect', 'desynced'];

// Each leaf leaves for the state the context says it should be in; `evaluate` is the single source of truth
// for `context.status` and `context.health`, the state value mirrors them for operators and tooling.
function statusLeaf(self: AgentStatus) {
  return {
    always: STATUSES.filter((other) => other !== self).map((other) => ({
      guard: { type: 'statusIs' as const, params: { value: other } },
      target: `#agent.status.${other}`,
    })),
  };
}

function healthLeaf(self: AgentHealth) {
  return {
    always: HEALTHS.filter((other) => other !== self).map((other) => ({
      guard: { type: 'healthIs' as const, params: { value: other } },
      target: `#agent.health.${other}`,
    })),
  };
}

/**
 * Creates the per-agent machine for a policy. Create it ONCE per policy and reuse it for every agent and step.
 *
 * - Parallel regions: `status` (`unknown`, `offline`, `available` = logged in but not On Queue,
 *   `onQueue.{idle,interacting,notResponding,notRoutable,unknown}`) and `health` (`inSync`, `suspect` = a rule
 *   condition holds but is within its grace, `desynced` = at least one open finding).
 * - Every event runs the named action `ingest` (merge + evaluate, pure), which enqueues the named effect actions
 *   `finding.opened`, `finding.updated`, `finding.resolved` and `correction.intended` with their data as
 *   params. They do nothing by default: use `stepAgent` (pure) or wire them with `.provide()` at the edge.
 */
export function createAgentMachine(policy: Policy, options: AgentMachineOptions = {}) {
  const deps = { policy, schedule: options.schedule ?? adherenceScheduleSource };
  const base = setup({
    types: {} as { context: AgentContext; events: AgentEvent; input: AgentMachineInput },
    actions: {
      'finding.opened': (_args, _params: { finding: Finding }) => {},
      'finding.updated': (_args, _params: { finding: Finding }) => {},
      'finding.resolved': (_args, _params: { finding: Finding }) => {},
      'correction.intended': (_args, _params: { intent: CorrectionIntent }) => {},
    },
    guards: {
      statusIs: ({ context }, params: { value: AgentStatus }) => context.status === params.value,
      healthIs: ({ context }, params: { value: AgentHealth }) => context.health === params.value,
    },
  });
  const ingest = base.enqueueActions(({ context, event, enqueue }) => {
    const result = evaluate(applyEvent(context, event, policy), deps);
    enqueue.assign(() => result.context);
    for (const effect of result.effects) {
      if (effect.type === 'correction.intended')
        enqueue({ type: effect.type, params: { intent: effect.intent } });
      else enqueue({ type: effect.type, params: { finding: effect.finding } });
    }
  });
  return base.extend({ actions: { ingest } }).createMachine({
    id: 'agent',
    type: 'parallel',
    context: ({ input }) => initialContext(input.agentId, input.now),
    on: {
      SIGNAL: { actions: 'ingest' },
      TICK: { actions: 'ingest' },
      DECLARE: { actions: 'ingest' },
      RESYNC: { actions: 'ingest' },
      WFM_DISABLED: { actions: 'ingest' },
      WFM_ENABLED: { actions: 'ingest' },
    },
    states: {
      status: {
        initial: 'unknown',
        states: {
          unknown: statusLeaf('unknown'),
          offline: statusLeaf('offline'),
          available: statusLeaf('available'),
          onQueue: {
            initial: 'unknown',
            states: {
              idle: statusLeaf('onQueue.idle'),
              interacting: statusLeaf('onQueue.interacting'),
              notResponding: statusLeaf('onQueue.notResponding'),
              notRoutable: statusLeaf('onQueue.notRoutable'),
              unknown: statusLeaf('onQueue.unknown'),
            },
          },
        },
      },
      health: {
        initial: 'inSync',
        states: {
          inSync: healthLeaf('inSync'),
          suspect: healthLeaf('suspect'),
          desynced: healthLeaf('desynced'),
        },
      },
    },
  });
}

/** The machine type for a policy. */
export type AgentMachine = ReturnType<typeof createAgentMachine>;
