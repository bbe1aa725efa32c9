import { setMaxListeners } from 'node:events';
import type { AgentSignals, Effect } from '@lockstep/domain';
import { isBusy } from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import type { CorrectionLocks, Reads } from '@lockstep/store';
import type { Logger } from 'pino';
import type { CorrectionsConfig } from '../config.js';
import type { EngineMetrics } from '../metrics.js';
import type { EffectsExecutor } from '../pipeline/effects.js';
import type { AttemptRecord, Auditor } from './audit.js';
import type { CorrectionBudget } from './budget.js';
import type { FreshAgent } from './fresh-state.js';
import type { FreshReader } from './fresh-reader.js';
import { guardCorrection } from './guards.js';
import type { PresenceIds } from './presence-ids.js';
import { priorityOf, type ReceivedIntent } from './priority.js';
import { buildRequest, type CorrectionRequest, type CorrectionUsers } from './request.js';
import { createJobQueue, type Job, newJob } from './queue.js';
import { createCorrectionSender } from './sender.js';
import { createConfirmations } from './confirmations.js';
import { confirmed, confirmedBySignals, knownAgent } from './state-checks.js';

export interface ExecutorDeps {
  readonly config: CorrectionsConfig;
  readonly users: CorrectionUsers;
  readonly reads: Pick<Reads, 'readAgent'>;
  readonly locks: CorrectionLocks;
  readonly budget: CorrectionBudget;
  readonly reader: FreshReader;
  readonly presenceIds: PresenceIds;
  readonly audit: Auditor;
  /** The lease seam (`engine.leadership`). */
  readonly leadership: { token(): number | null; assertHeld(what: string): number };
  readonly owner: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** Agents worked on at once (a bulk presence write can only carry agents worked on together). Default 1,000. */
  readonly concurrency?: number;
  /** How long a presence correction waits for others to share a bulk write with. Default 50 ms. */
  readonly batchWindowMs?: number;
  /** Wait between a send and its first confirming read, and between reads. Default 1 s. */
  readonly confirmEveryMs?: number;
  /** How often a deferred intent looks at the agent's stored signals again. Default 1 s. */
  readonly deferCheckMs?: number;
  /** Random spread (0..jitterMs) added before a due intent starts, so a burst of intents does not go out at once. */
  readonly jitterMs?: number;
  readonly random?: () => number;
}

/** Failed steps (Redis or read errors) of one intent before it is given up as `correction.failed`. */
const MAX_STEP_ERRORS = 8;

export interface CorrectionExecutor extends EffectsExecutor {
  /** Resolves once nothing is queued, parked or running (tests). */
  idle(): Promise<void>;
  /**
   * The agent's state as the engine just committed it: a sent correction whose intended state it shows (from an
   * observation newer than the send) is confirmed without a REST read. Never blocks.
   */
  noteCommitted(agentId: string, signals: AgentSignals): void;
  /** Stops taking work; running attempts finish their current step and send nothing more. Idempotent. */
  close(): Promise<void>;
}

/**
 * The correction executor. Takes committed `correction.intended` effects (`executeCommitted`, never blocking the
 * pipeline), queues them by priority and runs each due intent: lease → stored signals (busy: park) → fresh REST
 * read → guards → claim the per-agent lock with the fencing token → budget (one token per request: presence
 * corrections ready together share a bulk write) → lease and stored signals again → send → mark sent → confirm,
 * by the engine's next committed state (`noteCommitted`) or, when no event confirmed it within
 * `eventConfirmMs`, by REST reads until the confirm timeout (else send again, up to `maxSends`, then
 * `correction.failed`) → settle. Intents of resolved findings, and older intents of a finding, are dropped. In
 * `dry-run` it audits the request it would send and sends nothing; in `off` it ignores intents.
 */
export function createCorrectionExecutor(deps: ExecutorDeps): CorrectionExecutor {
  const { config, clock, leadership } = deps;
  const log = deps.logger.child({ component: 'corrections' });
  const concurrency = deps.concurrency ?? 1000;
  const eventConfirmMs = Math.min(config.eventConfirmMs ?? 2_000, config.confirmTimeoutMs);
  const confirmEveryMs = deps.confirmEveryMs ?? 1_000;
  const deferCheckMs = deps.deferCheckMs ?? 1_000;
  const jitterMs = deps.jitterMs ?? 250;
  const random = deps.random ?? Math.random;
  const queue = createJobQueue();
  const running = new Set<string>();
  const idleWaiters: Array<() => void> = [];
  let timer: unknown;
  let timerAt = Number.POSITIVE_INFINITY;
  let closed = false;
  const abort = new AbortController();
  // Up to `concurrency` budget waits listen on it at once.
  setMaxListeners(concurrency + 16, abort.signal);
  /** Sent jobs waiting for their confirmation (what `noteCommitted` looks at). */
  const confirmations = createConfirmations();
  let settling = 0;
  const sender = createCorrectionSender({
    users: deps.users,
    reads: deps.reads,
    budget: deps.budget,
    assertHeld: (what) => leadership.assertHeld(what),
    closed: () => closed,
    signal: abort.signal,
    metrics: deps.metrics,
    bulkMax: config.bulkMax ?? 50,
    windowMs: deps.batchWindowMs ?? 50,
    dryRun: config.mode === 'dry-run',
  });

  const gauge = () => deps.metrics.correctionsQueued.set(queue.size() + running.size);

  function settleIdle(): void {
    if (queue.size() === 0 && running.size === 0 && settling === 0)
      for (const w of idleWaiters.splice(0)) w();
  }

  function arm(at: number): void {
    if (closed || at >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        pump();
      },
      Math.max(0, at - clock.now()),
    );
  }

  function pump(): void {
    if (closed) return;
    const now = clock.now();
    while (running.size < concurrency) {
      const job = queue.takeDue(now, running);
      if (job === undefined) break;
      running.add(job.intent.agentId);
      void run(job).finally(() => {
        running.delete(job.intent.agentId);
        gauge();
        pump();
        settleIdle();
      });
    }
    const next = queue.nextDue(running);
    if (next !== undefined) arm(Math.max(next, now));
    gauge();
    settleIdle();
  }

  const record = (job: Job, rec: Omit<AttemptRecord, 'intent' | 'fence' | 'at' | 'attempt'>) =>
    deps.audit({ intent: job.intent, fence: job.fence, at: clock.now(), attempt: job.sends, ...rec });

  /** Leaves the job for later; `deferred` is audited once per intent. */
  async function park(job: Job, reason: string, before: FreshAgent | null): Promise<void> {
    const now = clock.now();
    job.deferredSince ??= now;
    if (now - job.deferredSince >= config.deferMaxMs) {
      await record(job, {
        outcome: 'expired',
        before,
        request: null,
        result: null,
        reason: `still busy: ${reason}`,
      });
      return;
    }
    if (!job.deferredAudited) {
      job.deferredAudited = true;
      await record(job, { outcome: 'deferred', before, request: null, result: null, reason });
    }
    job.dueAt = now + deferCheckMs;
    queue.put(job);
  }

  function leaseGone(job: Job): boolean {
    const token = leadership.token();
    if (token !== null && token === job.fence) return false;
    confirmations.stop(job);
    // The lease lapsed or changed hands since the intent was committed: the holder re-plans from its own state.
    deps.metrics.correctionOutcomes.inc({ outcome: 'dropped' });
    log.warn({ agentId: job.intent.agentId, intentId: job.intent.id }, 'lease not held: correction dropped');
    return true;
  }

  async function run(job: Job): Promise<void> {
    const { intent } = job;
    if (job.done) return;
    try {
      if (leaseGone(job)) return;
      const stored = await deps.reads.readAgent(intent.agentId);
      const signals = stored?.signals as AgentSignals | undefined;
      if (job.phase === 'guard' && signals !== undefined && isBusy(signals)) {
        return await park(job, 'has an interaction (engine signals)', null);
      }
      // An event committed before the wait for it began (while the send was being recorded) confirms it too.
      if (
        job.phase === 'confirm' &&
        signals !== undefined &&
        job.seenBefore !== null &&
        confirmedBySignals(intent, signals, job.seenBefore)
      ) {
        return await applied(job, 'event', null);
      }
      if (leaseGone(job)) return;
      const fresh = await deps.reader.read(intent.agentId, job.priority);
      if (job.phase === 'confirm') return await confirm(job, fresh);
      const openRules = (stored?.findings ?? []).map((f) => f.ruleId);
      const verdict = guardCorrection(intent, fresh, knownAgent(signals, openRules));
      if (verdict.verdict === 'defer') return await park(job, verdict.reason, fresh);
      if (verdict.verdict !== 'send') {
        return await record(job, {
          outcome: verdict.verdict === 'skip' ? 'skipped' : 'refused',
          before: fresh,
          request: null,
          result: null,
          reason: verdict.reason,
        });
      }
      const definitionId =
        intent.kind === 'set-presence' && intent.target.definitionId === null
          ? await deps.presenceIds.resolve(intent.target.presence, () =>
              deps.budget.take(job.priority, abort.signal),
            )
          : null;
      const request = buildRequest(intent.agentId, intent, definitionId);
      if (request === null) {
        return await record(job, {
          outcome: 'refused',
          before: fresh,
          request: null,
          result: null,
          reason: 'the org has no presence definition for this presence',
        });
      }
      if (config.mode === 'dry-run') {
        // Batched as it would be for real: the audit shows the request (or bulk share) that would have gone out.
        const planned = await sender.send(job, request);
        const wouldSend = planned.kind === 'planned' ? planned.request : request;
        return await record(job, {
          outcome: 'dry-run',
          before: fresh,
          request: wouldSend,
          result: null,
          reason: null,
        });
      }
      await send(job, fresh, request);
    } catch (err) {
      if (closed) return;
      job.errors += 1;
      if (job.errors >= MAX_STEP_ERRORS) {
        log.error({ err, agentId: intent.agentId, intentId: intent.id }, 'correction step failed; giving up');
        return await giveUp(job, null, `gave up after ${job.errors} failed steps`).catch(() => undefined);
      }
      log.warn({ err, agentId: intent.agentId, intentId: intent.id }, 'correction step failed; retrying');
      job.dueAt = clock.now() + backoff(job.errors);
      queue.put(job);
    }
  }

  function backoff(n: number): number {
    return Math.min(30_000, confirmEveryMs * 2 ** Math.min(n, 5)) + Math.floor(random() * jitterMs);
  }

  async function send(job: Job, before: FreshAgent, built: CorrectionRequest): Promise<void> {
    let request = built;
    const { intent } = job;
    const claim = await deps.locks.claim(intent.agentId, intent.id, job.fence, deps.owner, clock.now());
    if (claim === 'in-flight' && !job.claimed) {
      job.dueAt = clock.now() + confirmEveryMs;
      return queue.put(job);
    }
    if (claim === 'already-sent' || claim === 'stale-fence') {
      if (!job.claimed) {
        deps.metrics.correctionOutcomes.inc({ outcome: 'dropped' });
        log.info({ agentId: intent.agentId, intentId: intent.id, claim }, 'correction already handled');
        return;
      }
      // A retry of our own claim (already marked sent by us): go on under it.
    }
    job.claimed = true;
    // The budget, then the last checks right before the request leaves (the lease, the engine's signals).
    const out = await sender.send(job, request);
    if (closed) return;
    if (out.kind === 'dropped') {
      deps.metrics.correctionOutcomes.inc({ outcome: 'dropped' });
      return;
    }
    if (out.kind === 'busy') return await park(job, out.reason, before);
    if (out.kind === 'planned') return;
    const { result } = out;
    request = out.request;
    if (result.status === 429) {
      // Every replica pauses its corrections; this try does not count as a send.
      await deps.budget.block(result.retryAfterMs ?? 3_000);
      job.sends -= 1;
      job.dueAt = clock.now() + (result.retryAfterMs ?? 3_000);
      return queue.put(job);
    }
    if (result.ok) await deps.locks.mark(intent.agentId, intent.id, job.fence, 'sent', clock.now());
    await record(job, { outcome: 'sent', before, request, result, reason: null });
    if (!result.ok && result.status !== null && result.status < 500) {
      await deps.locks.mark(intent.agentId, intent.id, job.fence, 'settled', clock.now());
      return await record(job, {
        outcome: 'failed',
        before,
        request,
        result,
        reason: `refused by the platform (${result.error})`,
      });
    }
    job.before = before;
    job.request = request;
    job.result = result;
    job.phase = result.ok ? 'confirm' : 'guard';
    job.sentAt = clock.now();
    job.seenBefore = {
      presence: out.signals?.presence?.seenAt ?? Number.NEGATIVE_INFINITY,
      routing: out.signals?.routing?.seenAt ?? Number.NEGATIVE_INFINITY,
    };
    // Confirmed by the engine's next committed state if it comes in time; a REST read only after that.
    job.dueAt = clock.now() + (result.ok ? eventConfirmMs : backoff(job.sends));
    if (!result.ok && job.sends >= config.maxSends) return await giveUp(job, null);
    if (result.ok) confirmations.wait(job);
    queue.put(job);
  }

  /** Settles a sent job as `applied` once, whoever saw the confirmation first. */
  async function applied(job: Job, by: 'event' | 'read', observed: FreshAgent | null): Promise<void> {
    if (job.done) return;
    job.done = true;
    confirmations.stop(job);
    await deps.locks.mark(job.intent.agentId, job.intent.id, job.fence, 'settled', clock.now());
    await record(job, {
      outcome: 'applied',
      before: job.before,
      request: job.request,
      result: job.result,
      reason: null,
      observed,
      confirmedBy: by,
    });
  }

  async function confirm(job: Job, fresh: FreshAgent): Promise<void> {
    const { intent } = job;
    if (job.done) return;
    if (confirmed(intent, fresh)) return await applied(job, 'read', fresh);
    if (clock.now() - job.sentAt < config.confirmTimeoutMs) {
      job.dueAt = clock.now() + confirmEveryMs;
      return queue.put(job);
    }
    if (job.sends >= config.maxSends) return await giveUp(job, fresh);
    // Not confirmed in time: guard again from fresh state and send again after a backoff.
    confirmations.stop(job);
    job.phase = 'guard';
    job.dueAt = clock.now() + backoff(job.sends);
    queue.put(job);
  }

  async function giveUp(job: Job, observed: FreshAgent | null, why?: string): Promise<void> {
    job.done = true;
    confirmations.stop(job);
    if (job.claimed)
      await deps.locks.mark(job.intent.agentId, job.intent.id, job.fence, 'settled', clock.now());
    const by = observed?.presence?.source;
    await record(job, {
      outcome: 'failed',
      before: job.before,
      request: job.request,
      result: job.result,
      reason:
        why ??
        (observed === null
          ? `not applied after ${job.sends} sends`
          : `not confirmed after ${job.sends} sends: ${observed.presence?.system ?? '?'}/${observed.routing ?? '?'}${by ? ` set by ${by}` : ''}`),
      observed,
    });
  }

  return {
    executeCommitted(agentId, effects: readonly Effect[], fence) {
      if (closed || config.mode === 'off') return;
      for (const effect of effects) {
        if (effect.type === 'finding.resolved') {
          queue.dropFinding(agentId, effect.finding.id);
          confirmations.dropFinding(agentId, effect.finding.id);
        } else if (
          (effect.type === 'declaration.expired' ||
            effect.type === 'declaration.superseded' ||
            effect.type === 'declaration.reverted') &&
          effect.declaration.outcome.status !== 'applied' &&
          effect.declaration.outcome.status !== 'deferred' &&
          effect.declaration.outcome.status !== 'pending'
        ) {
          // A declaration that ended (expired, superseded, reverted on purpose) wants nothing more: its intents
          // carry its id as their finding id.
          queue.dropFinding(agentId, effect.declaration.id);
          confirmations.dropFinding(agentId, effect.declaration.id);
        } else if (effect.type === 'correction.intended') {
          const intent = effect.intent as ReceivedIntent;
          // A newer intent of the finding supersedes an older one still waiting for its confirmation.
          confirmations.dropFinding(agentId, intent.findingId, intent.attempt);
          const spread = Math.floor(random() * jitterMs);
          queue.put(
            newJob(intent, fence, priorityOf(intent), Math.max(intent.notBefore, clock.now()) + spread),
          );
        }
      }
      pump();
    },
    noteCommitted(agentId, signals) {
      if (closed) return;
      for (const job of confirmations.confirmedBy(agentId, signals)) {
        // Waiting in the queue for its REST read: taken out. Running (its read in flight): settled once by `applied`.
        queue.remove(job);
        settling += 1;
        void applied(job, 'event', null)
          .catch((err: unknown) =>
            log.error({ err, agentId, intentId: job.intent.id }, 'correction confirmation failed'),
          )
          .finally(() => {
            settling -= 1;
            gauge();
            settleIdle();
          });
      }
    },
    idle() {
      if (queue.size() === 0 && running.size === 0 && settling === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      if (closed) return;
      closed = true;
      abort.abort(new Error('corrections closed'));
      if (timer !== undefined) clock.clearTimeout(timer);
      queue.clear();
      confirmations.clear();
      gauge();
      for (const w of idleWaiters.splice(0)) w();
    },
  };
}
