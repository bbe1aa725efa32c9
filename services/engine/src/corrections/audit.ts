import type { CorrectionAudit } from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics.js';
import type { FreshAgent } from './fresh-state.js';
import type { ReceivedIntent } from './priority.js';
import type { CorrectionRequest, RequestResult } from './request.js';

/** Outcomes of a correction attempt. Those in `ALERTED_OUTCOMES` also go to the outbox as `correction.<outcome>`. */
export type CorrectionOutcome =
  'sent' | 'applied' | 'failed' | 'deferred' | 'skipped' | 'refused' | 'expired' | 'dry-run' | 'dropped';

export const ALERTED_OUTCOMES: ReadonlySet<CorrectionOutcome> = new Set([
  'applied',
  'failed',
  'deferred',
  'refused',
  'expired',
]);

export interface AttemptRecord {
  readonly intent: ReceivedIntent;
  readonly outcome: CorrectionOutcome;
  readonly at: number;
  /** Sends so far (1 for the first request of this intent). */
  readonly attempt: number;
  readonly fence: number;
  readonly before: FreshAgent | null;
  readonly request: CorrectionRequest | null;
  readonly result: RequestResult | null;
  readonly reason: string | null;
  /** The confirming read, when one was made (names who set the presence since). */
  readonly observed?: FreshAgent | null;
  /** What confirmed an `applied` outcome: the engine's next committed state (`event`) or a REST read. */
  readonly confirmedBy?: 'event' | 'read';
}

function stateText(agent: FreshAgent | null | undefined): string {
  if (agent === null || agent === undefined) return 'unknown';
  return `${agent.presence?.system ?? '?'}/${agent.routing ?? '?'}`;
}

function intendedText(intent: ReceivedIntent): string {
  switch (intent.kind) {
    case 'set-presence':
      return intent.target.presence;
    case 'set-routing-status':
      return `routing ${intent.target.status}`;
    case 'disassociate-station':
      return 'no station';
  }
}

/**
 * Writes every attempt (dry runs included) to the agent's history, and the outcomes worth an alert to the outbox
 * (`correction.applied`, `correction.failed`, ...), counting them. Failures to write are logged, never thrown:
 * the correction itself already happened or not.
 */
export function createAuditor(deps: { audit: CorrectionAudit; metrics: EngineMetrics; logger: Logger }) {
  const log = deps.logger.child({ component: 'corrections' });
  return async function audit(record: AttemptRecord): Promise<void> {
    const { intent } = record;
    deps.metrics.correctionOutcomes.inc({ outcome: record.outcome });
    const declarationId = typeof intent.declarationId === 'string' ? intent.declarationId : null;
    const detail = {
      outcome: record.outcome,
      intentId: intent.id,
      ruleId: declarationId === null ? intent.ruleId : null,
      declarationId,
      findingId: intent.findingId,
      kind: intent.kind,
      target: intent.target,
      before: record.before,
      request: record.request,
      status: record.result?.status ?? null,
      correlationId: record.result?.correlationId ?? null,
      error: record.result?.error ?? null,
      attempt: record.attempt,
      intentAttempt: intent.attempt,
      fence: record.fence,
      reason: record.reason,
      ...(record.observed === undefined ? {} : { observed: record.observed }),
      ...(record.confirmedBy === undefined ? {} : { confirmedBy: record.confirmedBy }),
    };
    const writes: Promise<unknown>[] = [
      deps.audit.record({
        agentId: intent.agentId,
        at: record.at,
        from: stateText(record.before),
        to: intendedText(intent),
        detail,
      }),
    ];
    if (ALERTED_OUTCOMES.has(record.outcome)) {
      writes.push(
        deps.audit.publish({
          agentId: intent.agentId,
          id: `${intent.agentId}:correction:${intent.id}:${record.outcome}:${record.attempt}`,
          at: record.at,
          body: { type: `correction.${record.outcome}`, agentId: intent.agentId, at: record.at, ...detail },
        }),
      );
    }
    const results = await Promise.allSettled(writes);
    for (const r of results) {
      if (r.status === 'rejected')
        log.error({ err: r.reason, intentId: intent.id }, 'correction audit failed');
    }
    log.info(
      { agentId: intent.agentId, intentId: intent.id, outcome: record.outcome, reason: record.reason },
      'correction',
    );
  };
}

export type Auditor = ReturnType<typeof createAuditor>;
