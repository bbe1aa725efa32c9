import { type AgentSignals, isBusy } from '@lockstep/domain';
import type { Reads } from '@lockstep/store';
import type { EngineMetrics } from '../metrics.js';
import type { CorrectionBudget } from './budget.js';
import type { Job } from './queue.js';
import {
  type BulkItem,
  bulkRequests,
  type CorrectionRequest,
  type CorrectionUsers,
  presenceDefinitionOf,
  type RequestResult,
  sendBulk,
  sendRequest,
} from './request.js';

/** What became of one job's request. */
export type SendOutcome =
  /** Sent (as `request`: a single request or this agent's share of a bulk write), with the engine's signals seen just before. */
  | {
      readonly kind: 'sent';
      readonly request: CorrectionRequest;
      readonly result: RequestResult;
      readonly signals: AgentSignals | undefined;
    }
  /** Dry run: the request (or this agent's share of a bulk write) that would have been sent. */
  | { readonly kind: 'planned'; readonly request: CorrectionRequest }
  /** Not sent: the lease lapsed or changed hands, or the executor closed. */
  | { readonly kind: 'dropped' }
  /** Not sent: the engine's signals show an interaction that began since the guards ran. */
  | { readonly kind: 'busy'; readonly reason: string };

export interface SenderDeps {
  readonly users: CorrectionUsers;
  readonly reads: Pick<Reads, 'readAgent'>;
  readonly budget: CorrectionBudget;
  /** Returns the current fencing token; throws unless the lease is held (the local deadline included). */
  readonly assertHeld: (what: string) => number;
  readonly closed: () => boolean;
  readonly signal: AbortSignal;
  readonly metrics: EngineMetrics;
  /** Most agents in one bulk presence write; 1 sends every presence correction on its own. */
  readonly bulkMax: number;
  /** How long a presence correction waits for others to share a bulk write with. */
  readonly windowMs: number;
  /** Batch as for real, send nothing, take no budget: answers what would have been sent (`planned`). */
  readonly dryRun: boolean;
}

/** Sends guarded, claimed correction requests: presence corrections ready together share bulk writes. */
export interface CorrectionSender {
  send(job: Job, request: CorrectionRequest): Promise<SendOutcome>;
}

interface Pending {
  readonly job: Job;
  readonly request: CorrectionRequest;
  readonly definitionId: string;
  resolve(outcome: SendOutcome): void;
  reject(err: unknown): void;
}

/**
 * Each request (single or bulk) takes one token of the shared budget, then, right before it leaves: the lease is
 * checked (nothing goes out past the local deadline, nor for a job committed under an older token), and each
 * agent's stored signals are read again (an agent whose interaction began since the guards' read is left out).
 * Presence corrections wait `windowMs` for others, and keep joining the batch until its budget token is granted
 * (the longer the budget makes them wait, the more share a request); a batch of one goes out as the single PATCH.
 */
export function createCorrectionSender(deps: SenderDeps): CorrectionSender {
  /** The batch new presence corrections join: collecting for `windowMs`, then waiting for its budget token. */
  let open: { readonly pending: Pending[] } | undefined;

  async function lastCheck(job: Job, token: number): Promise<SendOutcome | AgentSignals | undefined> {
    if (token !== job.fence) return { kind: 'dropped' };
    const stored = await deps.reads.readAgent(job.intent.agentId);
    const signals = stored?.signals as AgentSignals | undefined;
    if (signals !== undefined && isBusy(signals)) {
      return { kind: 'busy', reason: 'has an interaction (engine signals)' };
    }
    return signals;
  }
  const isOutcome = (v: SendOutcome | AgentSignals | undefined): v is SendOutcome =>
    v !== undefined && typeof (v as { kind?: unknown }).kind === 'string';

  async function single(job: Job, request: CorrectionRequest): Promise<SendOutcome> {
    if (deps.dryRun) return { kind: 'planned', request };
    await deps.budget.take(job.priority, deps.signal);
    if (deps.closed()) return { kind: 'dropped' };
    const token = deps.assertHeld('correction');
    const checked = await lastCheck(job, token);
    if (isOutcome(checked)) return checked;
    job.sends += 1;
    const result = await sendRequest(deps.users, job.intent.agentId, request);
    deps.metrics.correctionRequests.inc({
      kind: job.intent.kind,
      status: String(result.status ?? 'network'),
    });
    return { kind: 'sent', request, result, signals: checked };
  }

  async function flush(b: { readonly pending: Pending[] }): Promise<void> {
    const batch = b.pending;
    if (deps.dryRun) {
      if (open === b) open = undefined;
      const planned =
        batch.length === 1
          ? batch.map((p) => p.request)
          : bulkRequests(batch.map((p) => ({ agentId: p.job.intent.agentId, definitionId: p.definitionId })));
      batch.forEach((p, i) => p.resolve({ kind: 'planned', request: planned[i] as CorrectionRequest }));
      return;
    }
    try {
      await deps.budget.take(Math.min(...batch.map((p) => p.job.priority)), deps.signal);
      // Granted: the batch is closed (corrections ready meanwhile joined it); later ones start the next.
      if (open === b) open = undefined;
      if (deps.closed()) {
        for (const p of batch) p.resolve({ kind: 'dropped' });
        return;
      }
      const token = deps.assertHeld('correction');
      const checks = await Promise.all(batch.map((p) => lastCheck(p.job, token)));
      const going: Array<{ p: Pending; signals: AgentSignals | undefined }> = [];
      batch.forEach((p, i) => {
        const checked = checks[i];
        if (isOutcome(checked)) p.resolve(checked);
        else going.push({ p, signals: checked });
      });
      if (going.length === 0) return;
      for (const { p } of going) p.job.sends += 1;
      if (going.length === 1) {
        const [{ p, signals }] = going as [{ p: Pending; signals: AgentSignals | undefined }];
        const result = await sendRequest(deps.users, p.job.intent.agentId, p.request);
        deps.metrics.correctionRequests.inc({
          kind: 'set-presence',
          status: String(result.status ?? 'network'),
        });
        p.resolve({ kind: 'sent', request: p.request, result, signals });
        return;
      }
      const items: BulkItem[] = going.map(({ p }) => ({
        agentId: p.job.intent.agentId,
        definitionId: p.definitionId,
      }));
      const results = await sendBulk(deps.users, items);
      const requests = bulkRequests(items);
      const answered = results.find((r) => r.status !== null);
      deps.metrics.correctionRequests.inc({
        kind: 'set-presence-bulk',
        status: String(answered?.status ?? 'network'),
      });
      going.forEach(({ p, signals }, i) => {
        p.resolve({
          kind: 'sent',
          request: requests[i] as CorrectionRequest,
          result: results[i] as RequestResult,
          signals,
        });
      });
    } catch (err) {
      if (open === b) open = undefined;
      for (const p of batch) p.reject(err);
    }
  }

  return {
    send(job, request) {
      const definitionId = presenceDefinitionOf(request);
      if (deps.bulkMax <= 1 || definitionId === null) return single(job, request);
      return new Promise<SendOutcome>((resolve, reject) => {
        if (open === undefined || open.pending.length >= deps.bulkMax) {
          const b = { pending: [] as Pending[] };
          open = b;
          setTimeout(() => void flush(b), deps.windowMs);
        }
        open.pending.push({ job, request, definitionId, resolve, reject });
      });
    },
  };
}
