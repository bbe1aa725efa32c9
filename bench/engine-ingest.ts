/**
 * The engine's per-frame hot path, for benchmarks that feed frames in-process: what the notification pool does with a
 * text frame (decode; transport bookkeeping ignored) followed by what the engine's `onEvent` does with the event
 * (count it, map it to signal updates, submit them to the pipeline for tracked agents).
 */
import { decodeNotification } from '@lockstep/genesys';
import { type EngineMetrics, type EventMapper, type Pipeline } from '@lockstep/engine';

export interface Ingest {
  /** Events decoded and passed on so far. */
  readonly events: number;
  ingest(text: string, receivedAt: number): void;
}

export function createIngest(deps: {
  readonly pipeline: Pipeline;
  readonly mapper: EventMapper;
  readonly metrics: EngineMetrics;
  readonly tracked: ReadonlySet<string>;
}): Ingest {
  const { pipeline, mapper, metrics, tracked } = deps;
  let events = 0;
  return {
    get events() {
      return events;
    },
    ingest(text, receivedAt) {
      const r = decodeNotification(text);
      if (!r.ok) {
        metrics.decodeErrors.inc({ reason: r.reason });
        return;
      }
      const ev = r.event;
      if (ev.kind === 'channelMetadata' || ev.kind === 'socketClosing') return;
      events++;
      metrics.eventsReceived.inc({ kind: ev.kind });
      const mapped = mapper.map(ev, receivedAt);
      if (mapped.kind !== 'signals' || !tracked.has(mapped.agentId)) return;
      for (const update of mapped.updates) {
        pipeline.submit(mapped.agentId, { type: 'SIGNAL', update }, 'event', receivedAt);
      }
    },
  };
}
