/**
 * The engine's per-frame hot path, for benchmarks that feed frames in-process: what the notification pool does with a
 * text frame (decode; transport bookkeeping ignored) followed by what the engine's `onEvent` does with the event
 * (count it, map it to signal updates, submit them to the pipeline for tracked agents).
 */
import type { AgentMachine, Policy } from '@lockstep/domain';
import { createPipeline, type EngineMetrics, type EventMapper, type Pipeline } from '@lockstep/engine';
import { type Clock, decodeNotification, systemClock } from '@lockstep/genesys';
import { createAgentStore, createOutbox, createReads, type Keys, type RedisClient } from '@lockstep/store';
import { pino } from 'pino';

/** The engine's batched pipeline wired as the engine wires it, without a lease (fence 1) or logging. */
export function createStandalonePipeline(deps: {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly machine: AgentMachine;
  readonly policy: Policy;
  readonly metrics: EngineMetrics;
  readonly batchWindowMs: number;
  /** The engine clock (default the system clock). */
  readonly clock?: Clock;
  /** Agents kept as live snapshots (default: the engine's default). */
  readonly hotAgents?: number;
}): Pipeline {
  const { redis, keys } = deps;
  return createPipeline({
    machine: deps.machine,
    policy: deps.policy,
    store: createAgentStore({ redis, keys }),
    reads: createReads({ redis, keys }),
    outbox: createOutbox({ redis, keys, group: 'lockstep' }),
    metrics: deps.metrics,
    logger: pino({ level: 'silent' }),
    clock: deps.clock ?? systemClock,
    fence: () => 1,
    onFenceRejected: () => {},
    batchWindowMs: deps.batchWindowMs,
    ...(deps.hotAgents === undefined ? {} : { hotAgents: deps.hotAgents }),
  });
}

export interface Ingest {
  /** Events decoded and passed on so far. */
  readonly events: number;
  /** `receivedAt` (engine clock) stamps signals without a platform timestamp and feeds the latency histogram. */
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
