import type { DecodeFailure, EventContext, GapNotice, GenesysEvent } from '@lockstep/genesys';
import type { Logger } from 'pino';
import type { EngineMetrics } from './metrics.js';
import type { EventMapper } from './pipeline/map-event.js';
import type { Pipeline } from './pipeline/pipeline.js';
import { createRateLimitedLog } from './rate-limited-log.js';
import type { Resyncer } from './resync.js';

export interface EventRouterDeps {
  readonly mapper: Pick<EventMapper, 'map'>;
  readonly pipeline: Pick<Pipeline, 'submit'>;
  readonly resyncer: Pick<Resyncer, 'request' | 'requestTimeOff'>;
  /** The agents tracked now (events of others are ignored). */
  readonly tracked: () => ReadonlySet<string>;
  /** A queue's membership changed: discovery re-reads it. */
  readonly onMembership: (queueId: string) => void;
  /** A schedule-change notification named these tracked agents (their published schedule is reloaded). */
  readonly onScheduleChanged?: (
    agentIds: readonly string[],
    origin: 'user' | 'managementUnit',
    at: number,
  ) => void;
  readonly metrics: EngineMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Where each notification goes: signals to the pipeline, refreshes and gaps to the resyncer, membership to discovery. */
export interface EventRouter {
  onEvent(event: GenesysEvent, ctx: EventContext): void;
  onDecodeError(failure: DecodeFailure): void;
  onGap(gap: GapNotice): void;
}

export function createEventRouter(deps: EventRouterDeps): EventRouter {
  const { mapper, pipeline, resyncer, metrics } = deps;
  const decodeLog = createRateLimitedLog(deps.logger, deps.now);
  return {
    onEvent(event, ctx) {
      metrics.eventsReceived.inc({ kind: event.kind });
      const mapped = mapper.map(event, ctx.receivedAt);
      const tracked = deps.tracked();
      switch (mapped.kind) {
        case 'signals':
          if (!tracked.has(mapped.agentId)) return;
          for (const update of mapped.updates) {
            pipeline.submit(mapped.agentId, { type: 'SIGNAL', update }, 'event', ctx.receivedAt);
          }
          return;
        case 'membership':
          deps.onMembership(mapped.queueId);
          return;
        case 'refresh': {
          const ids = mapped.agentIds.filter((id) => tracked.has(id));
          if (mapped.what === 'timeOff') resyncer.requestTimeOff(ids);
          else {
            resyncer.request(ids, 'schedule');
            deps.onScheduleChanged?.(ids, mapped.origin ?? 'user', ctx.receivedAt);
          }
          return;
        }
        case 'ignore':
          return;
      }
    },
    onDecodeError(failure) {
      metrics.decodeErrors.inc({ reason: failure.reason });
      decodeLog.warn(
        failure.reason,
        { reason: failure.reason, topic: failure.topic, detail: failure.detail.slice(0, 300) },
        'notification could not be decoded: ignored',
      );
    },
    onGap(gap) {
      const tracked = deps.tracked();
      resyncer.request(
        gap.agentIds.filter((id) => tracked.has(id)),
        gap.reason,
      );
    },
  };
}
