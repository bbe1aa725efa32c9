import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every engine metric, on a registry of its own (several engines may live in one test process). Names follow
 * Prometheus conventions with the `lockstep_` prefix.
 */
export interface EngineMetrics {
  readonly registry: Registry;
  readonly eventsReceived: Counter<'kind'>;
  /** Platform timestamps clamped because they lay too far ahead of the receive or read time, by signal. */
  readonly eventTimesClamped: Counter<'signal'>;
  readonly decodeErrors: Counter<'reason'>;
  readonly transitions: Counter<'cause'>;
  readonly commits: Counter<'cause'>;
  readonly commitConflicts: Counter;
  readonly commitErrors: Counter<'code'>;
  readonly findingsOpened: Counter<'rule'>;
  readonly findingsResolved: Counter<'rule'>;
  readonly openFindings: Gauge<'rule'>;
  readonly corrections: Counter<'kind'>;
  /** Correction attempts by outcome (applied, failed, deferred, skipped, refused, dry-run, dropped, expired). */
  readonly correctionOutcomes: Counter<'outcome'>;
  /** Correction requests sent to the platform, by kind and HTTP status (`network` without a response). */
  readonly correctionRequests: Counter<'kind' | 'status'>;
  /** Seconds spent waiting for the shared request budget before a correction request, by priority. */
  readonly correctionBudgetWait: Histogram<'priority'>;
  /** Intents queued or parked (deferred) in the correction executor. */
  readonly correctionsQueued: Gauge;
  readonly resyncs: Counter<'reason'>;
  readonly resyncErrors: Counter<'code'>;
  readonly channelsConnected: Gauge;
  readonly reconnects: Gauge;
  readonly trackedAgents: Gauge;
  /** Selector items whose last read failed transiently (discovery is retrying them). */
  readonly selectorItemsFailing: Gauge;
  readonly outboxRelayed: Counter;
  /** Relays that failed (their entries wait for the relay sweeper). */
  readonly outboxRelayErrors: Counter;
  /** Agents whose events were lost to a failed commit or a full queue, and re-read over REST for it. */
  readonly eventsLost: Counter;
  /** Events not queued because the pipeline queue was full (their agents are re-read instead). */
  readonly eventsCoalesced: Counter;
  /** 1 while Redis answers the engine's probe, else 0. */
  readonly redisUp: Gauge;
  readonly leaseHeld: Gauge;
  readonly commands: Counter<'type' | 'outcome'>;
  /** Seconds from the event's arrival at the engine to the commit of its agent (includes batching). */
  readonly persistLatency: Histogram;
  /** Sets where the scrape-time gauges (channels, reconnects, tracked agents) read their values. */
  bindSources(sources: MetricSources): void;
}

/** Values read at scrape time. */
export interface MetricSources {
  channelsConnected(): number;
  reconnects(): number;
  trackedAgents(): number;
  selectorItemsFailing(): number;
}

/** Creates the metrics on a fresh registry. */
export function createMetrics(): EngineMetrics {
  const registry = new Registry();
  const opts = { registers: [registry] };
  let sources: MetricSources | undefined;
  return {
    bindSources(next) {
      sources = next;
    },
    registry,
    eventsReceived: new Counter({
      name: 'lockstep_events_received_total',
      help: 'Decoded notification events received, by event kind.',
      labelNames: ['kind'],
      ...opts,
    }),
    eventTimesClamped: new Counter({
      name: 'lockstep_event_times_clamped_total',
      help: 'Platform timestamps more than the future tolerance ahead of the receive or read time, clamped to it, by signal.',
      labelNames: ['signal'],
      ...opts,
    }),
    commands: new Counter({
      name: 'lockstep_commands_total',
      help: 'Commands read from the command stream, by type and outcome (applied, other-shard, rejected).',
      labelNames: ['type', 'outcome'],
      ...opts,
    }),
    decodeErrors: new Counter({
      name: 'lockstep_decode_errors_total',
      help: 'Notification frames that could not be decoded, by reason (malformed-json, unknown-topic, schema).',
      labelNames: ['reason'],
      ...opts,
    }),
    transitions: new Counter({
      name: 'lockstep_transitions_total',
      help: 'Agent machine steps that changed the agent state, by cause.',
      labelNames: ['cause'],
      ...opts,
    }),
    commits: new Counter({
      name: 'lockstep_commits_total',
      help: 'Agent commits written to Redis, by history cause.',
      labelNames: ['cause'],
      ...opts,
    }),
    commitConflicts: new Counter({
      name: 'lockstep_commit_conflicts_total',
      help: 'Commits rejected by the version check (the agent was reloaded and the events re-applied).',
      ...opts,
    }),
    commitErrors: new Counter({
      name: 'lockstep_commit_errors_total',
      help: 'Commits that failed for good, by error code.',
      labelNames: ['code'],
      ...opts,
    }),
    findingsOpened: new Counter({
      name: 'lockstep_findings_opened_total',
      help: 'Findings opened, by rule.',
      labelNames: ['rule'],
      ...opts,
    }),
    findingsResolved: new Counter({
      name: 'lockstep_findings_resolved_total',
      help: 'Findings resolved, by rule.',
      labelNames: ['rule'],
      ...opts,
    }),
    openFindings: new Gauge({
      name: 'lockstep_open_findings',
      help: 'Open findings of the agents this engine tracks, by rule.',
      labelNames: ['rule'],
      ...opts,
    }),
    corrections: new Counter({
      name: 'lockstep_correction_intents_total',
      help: 'Correction intents emitted to the outbox, by kind.',
      labelNames: ['kind'],
      ...opts,
    }),
    correctionOutcomes: new Counter({
      name: 'lockstep_correction_outcomes_total',
      help: 'Correction attempts by outcome (applied, failed, deferred, skipped, refused, dry-run, dropped, expired).',
      labelNames: ['outcome'],
      ...opts,
    }),
    correctionRequests: new Counter({
      name: 'lockstep_correction_requests_total',
      help: 'Correction requests sent to the platform, by kind and HTTP status (network: no response).',
      labelNames: ['kind', 'status'],
      ...opts,
    }),
    correctionBudgetWait: new Histogram({
      name: 'lockstep_correction_budget_wait_seconds',
      help: 'Time a correction request or fresh read waited for the shared request budget, by priority.',
      labelNames: ['priority'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      ...opts,
    }),
    correctionsQueued: new Gauge({
      name: 'lockstep_corrections_queued',
      help: 'Correction intents waiting in the executor (due later, or deferred while the agent is busy).',
      ...opts,
    }),
    resyncs: new Counter({
      name: 'lockstep_resyncs_total',
      help: 'Agents re-read over REST, by reason (start, reconnect, rollover, expiry, token-renewal, safety, discovery).',
      labelNames: ['reason'],
      ...opts,
    }),
    resyncErrors: new Counter({
      name: 'lockstep_resync_errors_total',
      help: 'REST reads of a resync that failed, by Genesys error code.',
      labelNames: ['code'],
      ...opts,
    }),
    channelsConnected: new Gauge({
      name: 'lockstep_channels_connected',
      help: 'Notification channels whose WebSocket is connected.',
      collect() {
        if (sources) this.set(sources.channelsConnected());
      },
      ...opts,
    }),
    reconnects: new Gauge({
      name: 'lockstep_channel_reconnects',
      help: 'Reconnects of the current notification channels since they were created.',
      collect() {
        if (sources) this.set(sources.reconnects());
      },
      ...opts,
    }),
    trackedAgents: new Gauge({
      name: 'lockstep_tracked_agents',
      help: 'Agents selected and owned by this engine.',
      collect() {
        if (sources) this.set(sources.trackedAgents());
      },
      ...opts,
    }),
    selectorItemsFailing: new Gauge({
      name: 'lockstep_selector_items_failing',
      help: 'Selector items whose last read failed transiently; discovery retries them with backoff.',
      collect() {
        if (sources) this.set(sources.selectorItemsFailing());
      },
      ...opts,
    }),
    outboxRelayed: new Counter({
      name: 'lockstep_outbox_relayed_total',
      help: 'Outbox entries relayed from agent hashes to the outbox streams.',
      ...opts,
    }),
    outboxRelayErrors: new Counter({
      name: 'lockstep_outbox_relay_errors_total',
      help: 'Outbox relays that failed; their entries stay pending and the relay sweeper retries them.',
      ...opts,
    }),
    eventsLost: new Counter({
      name: 'lockstep_pipeline_lost_agents_total',
      help: 'Agents whose events could not be committed (after retries) or queued, each then re-read over REST.',
      ...opts,
    }),
    eventsCoalesced: new Counter({
      name: 'lockstep_pipeline_coalesced_events_total',
      help: 'Events not queued because the pipeline queue was full; their agents are re-read over REST.',
      ...opts,
    }),
    redisUp: new Gauge({
      name: 'lockstep_redis_up',
      help: '1 while Redis answers the engine health probe, else 0.',
      ...opts,
    }),
    leaseHeld: new Gauge({
      name: 'lockstep_lease_held',
      help: '1 while this engine holds its shard lease (and may commit), else 0.',
      ...opts,
    }),
    persistLatency: new Histogram({
      name: 'lockstep_event_persist_seconds',
      help: "Seconds from an event's arrival at the engine to the commit of its agent.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ...opts,
    }),
  };
}
