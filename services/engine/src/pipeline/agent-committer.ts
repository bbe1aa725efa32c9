import { type AgentContext, type Effect, persistAgent, type Policy } from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import {
  type AgentStore,
  type HistoryCause,
  InvalidInputError,
  StaleFenceError,
  StaleVersionError,
} from '@lockstep/store';
import type { Logger } from 'pino';
import { CommitConflictError } from '../errors.js';
import type { EngineMetrics } from '../metrics.js';
import type { AgentStepper } from './agent-stepper.js';
import type { Item } from './batch-queue.js';
import { batchCause, batchDetail, describeEvent, findingDocs, stateSummary } from './commit-input.js';

/** How an agent's batch ended. */
export type CommitOutcome =
  /** Committed; `effects` were queued in the agent's outbox (possibly none); `context` is what was committed. */
  | { readonly kind: 'committed'; readonly effects: readonly Effect[]; readonly context: AgentContext }
  /** Nothing to commit (stale or duplicate events). */
  | { readonly kind: 'unchanged' }
  /** A newer lease holder wrote the agent. */
  | { readonly kind: 'fenced' }
  /** The lease lapsed while the batch was stepped or waited: nothing was written. */
  | { readonly kind: 'not-held' }
  /** Not committed after the bounded retries: the events are lost and the agent must be re-read. */
  | { readonly kind: 'failed'; readonly error: unknown };

export interface AgentCommitterDeps {
  readonly policy: Policy;
  readonly store: AgentStore;
  readonly stepper: AgentStepper;
  readonly metrics: EngineMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly onFenceRejected: (err: StaleFenceError) => void;
  /** Whether `fence` is still the token to commit with, asked right before each commit. Default: always. */
  readonly stillHolds?: (fence: number) => boolean;
  /** Commit attempts per agent and batch when versions conflict. */
  readonly maxConflictRetries: number;
  /** Delays before each further attempt after another commit error (e.g. Redis not answering). */
  readonly errorRetryDelaysMs: readonly number[];
}

/**
 * Committing: steps an agent's events of one batch (one `EVENTS` fold) and commits ONCE (version CAS + fencing).
 * A version conflict reloads and re-applies; any other error (Redis down, a timeout) is retried after the given
 * delays, then reported as `failed` so the caller keeps the agent for a REST resync: no event is silently lost.
 */
export interface AgentCommitter {
  commit(agentId: string, items: readonly Item[], fence: number): Promise<CommitOutcome>;
  /** Commits findings under another policy (severities, actions) from now on. */
  setPolicy(policy: Policy): void;
}

export function createAgentCommitter(deps: AgentCommitterDeps): AgentCommitter {
  const { store, stepper, metrics, clock } = deps;
  // Replaced by `setPolicy` when the rule overrides change at run time.
  let policy = deps.policy;
  const log = deps.logger;

  function countEffects(effects: readonly Effect[]): void {
    for (const e of effects) {
      if (e.type === 'finding.opened') metrics.findingsOpened.inc({ rule: e.finding.ruleId });
      else if (e.type === 'finding.resolved') metrics.findingsResolved.inc({ rule: e.finding.ruleId });
      else if (e.type === 'correction.intended') metrics.corrections.inc({ kind: e.intent.kind });
    }
  }

  async function attempt(
    agentId: string,
    items: readonly Item[],
    fence: number,
    cause: HistoryCause,
  ): Promise<CommitOutcome> {
    const events = items.map((item) => item.event);
    for (let conflict = 0; conflict < deps.maxConflictRetries; conflict++) {
      const { entry, before, snapshot, effects, changed } = await stepper.step(agentId, events);
      if (!changed) return { kind: 'unchanged' };
      // The lease may have lapsed while this batch was stepped or waited: nothing goes out without it.
      if (deps.stillHolds !== undefined && !deps.stillHolds(fence)) return { kind: 'not-held' };
      const context = snapshot.context;
      if (before.context.status !== context.status || before.context.health !== context.health) {
        metrics.transitions.inc({ cause });
      }
      try {
        const result = await store.commit({
          agentId,
          expectedVersion: entry.version,
          fence,
          state: stateSummary(context),
          machine: persistAgent(snapshot),
          signals: context.signals,
          findings: findingDocs(context, policy),
          effects,
          cause,
          detail: batchDetail(items.map((item) => describeEvent(item.event))),
          at: clock.now(),
        });
        stepper.remember(agentId, result.version, snapshot);
        metrics.commits.inc({ cause });
        countEffects(effects);
        const now = clock.now();
        for (const item of items) {
          if (item.receivedAt !== undefined)
            metrics.persistLatency.observe(Math.max(0, now - item.receivedAt) / 1000);
        }
        return { kind: 'committed', effects, context };
      } catch (err) {
        if (err instanceof StaleVersionError) {
          metrics.commitConflicts.inc();
          log.debug({ agentId, expected: err.expected, actual: err.actual }, 'version conflict: reloading');
          stepper.forget(agentId);
          continue;
        }
        if (err instanceof StaleFenceError) {
          stepper.forget(agentId);
          deps.onFenceRejected(err);
          return { kind: 'fenced' };
        }
        throw err;
      }
    }
    throw new CommitConflictError(agentId, deps.maxConflictRetries);
  }

  return {
    setPolicy(next) {
      policy = next;
    },
    async commit(agentId, items, fence) {
      const causes = new Set<HistoryCause>();
      for (const item of items) causes.add(item.cause);
      const cause = batchCause(causes);
      for (let retry = 0; ; retry++) {
        try {
          return await attempt(agentId, items, fence, cause);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          metrics.commitErrors.inc({ code: typeof code === 'string' ? code : 'UNKNOWN' });
          // The commit may or may not have landed: reload before the next attempt.
          stepper.forget(agentId);
          const delay = deps.errorRetryDelaysMs[retry];
          // Invalid input fails the same way every time: no retry.
          if (delay === undefined || err instanceof InvalidInputError) {
            log.error(
              { err, agentId, attempts: retry + 1 },
              'agent update failed: the agent will be re-read',
            );
            return { kind: 'failed', error: err };
          }
          log.warn({ err, agentId, attempt: retry + 1 }, 'agent update failed: retrying');
          await new Promise<void>((resolve) => clock.setTimeout(resolve, delay));
        }
      }
    },
  };
}
