import { type AgentEvent, createAgentMachine } from '@lockstep/domain';
import {
  type ChannelPool,
  type Clock,
  type DecodeFailure,
  type EventContext,
  type GapNotice,
  type GenesysApi,
  type GenesysEvent,
  isGenesysError,
  systemClock,
} from '@lockstep/genesys';
import {
  createAgentStore,
  createCommandQueue,
  createKeys,
  createLeases,
  createOutbox,
  createReads,
  createPolicyOverrides,
  repairAgentIndex,
  repairFindingsIndex,
  type RedisClient,
} from '@lockstep/store';
import type { Logger } from 'pino';
import { type CommandInbox, createCommandInbox } from './command-inbox.js';
import type { EngineConfig } from './config.js';
import { createDiscovery } from './discovery.js';
import { ClosedError } from './errors.js';
import { createLeaseKeeper } from './lease-keeper.js';
import { createMetrics, type EngineMetrics } from './metrics.js';
import { createEventMapper } from './pipeline/map-event.js';
import { createPipeline, type Pipeline } from './pipeline/pipeline.js';
import { createPolicyWatcher } from './policy-watcher.js';
import { createRateLimitedLog } from './rate-limited-log.js';
import { createResyncer } from './resync.js';
import { createWfmGate } from './wfm-gate.js';

/** The configuration the engine itself reads (a subset of `EngineConfig`). */
export type EngineSettings = Pick<
  EngineConfig,
  | 'selector'
  | 'shard'
  | 'policy'
  | 'keyPrefix'
  | 'discoveryIntervalMs'
  | 'safetyResyncIntervalMs'
  | 'wfm'
  | 'batchWindowMs'
  | 'hotAgents'
  | 'leaseTtlMs'
  | 'leaseRenewMs'
  | 'historyMaxLen'
  | 'instanceId'
>;

/** What the engine is given; it closes none of these (whoever created them does). */
export interface EngineDeps {
  readonly redis: RedisClient;
  readonly api: Pick<GenesysApi, 'users' | 'wfm'>;
  readonly pool: ChannelPool;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly metrics?: EngineMetrics;
}

export interface EngineHealth {
  readonly ok: boolean;
  readonly started: boolean;
  readonly leader: boolean;
  readonly agents: number;
  readonly channelsConnected: number;
}

/** The lockstep engine: discovery → notification pool → batched per-agent pipeline → Redis, with gap resyncs. */
export interface Engine {
  /** Acquires the shard lease (or stands by), discovers agents, subscribes, resyncs. Call once. */
  start(): Promise<void>;
  /** Stops timers and listeners, drains the pipeline, releases the lease. Idempotent; every step runs. */
  close(): Promise<void>;
  readonly metrics: EngineMetrics;
  /** Agents tracked now. */
  agents(): ReadonlySet<string>;
  health(): EngineHealth;
  /** Resolves once queued resyncs and events are processed (tests, shutdown). */
  idle(): Promise<void>;
  /** Re-reads agents over REST now (e.g. from an admin action). */
  resync(agentIds: Iterable<string>, reason: string): void;
  /** Feeds an event from outside the notification stream, e.g. a `DECLARE` after a correction. */
  submit(agentId: string, event: AgentEvent, cause: 'event' | 'correction'): void;
}

/** Creates the engine. Only `start()` does I/O. */
export function createEngine(settings: EngineSettings, deps: EngineDeps): Engine {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger.child({ component: 'engine' });
  const metrics = deps.metrics ?? createMetrics();
  const { redis, pool } = deps;
  const keys = createKeys(settings.keyPrefix);
  const reads = createReads({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'lockstep' });
  const machine = createAgentMachine(settings.policy);
  const mapper = createEventMapper();
  const decodeLog = createRateLimitedLog(log, () => clock.now());
  let started = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  let safetyTimer: unknown;
  // Blocking reads of the command stream need a connection of their own; the engine creates and closes it.
  let commandReader: RedisClient | undefined;
  let inbox: CommandInbox | undefined;
  const unsubscribe: Array<() => void> = [];

  const leaseKeeper = createLeaseKeeper({
    leases: createLeases({ redis, keys }),
    name: `engine:shard:${settings.shard.index}`,
    owner: settings.instanceId,
    ttlMs: settings.leaseTtlMs,
    renewMs: settings.leaseRenewMs,
    clock,
    logger: deps.logger,
    onAcquired() {
      metrics.leaseHeld.set(1);
      pipeline.reset();
      if (started) resyncer.request(discovery.agents(), 'lease');
    },
    onLost() {
      metrics.leaseHeld.set(0);
      pipeline.reset();
    },
  });

  const pipeline: Pipeline = createPipeline({
    machine,
    policy: settings.policy,
    store: createAgentStore({ redis, keys, historyMaxLen: settings.historyMaxLen }),
    reads,
    outbox,
    metrics,
    logger: deps.logger,
    clock,
    fence: () => leaseKeeper.token(),
    onFenceRejected: () => leaseKeeper.markLost(),
    batchWindowMs: settings.batchWindowMs,
    hotAgents: settings.hotAgents,
  });

  const wfm = createWfmGate({
    configured: settings.wfm,
    logger: deps.logger,
    now: () => clock.now(),
    disable(agentIds, at) {
      for (const agentId of agentIds) pipeline.submit(agentId, { type: 'WFM_DISABLED', at }, 'event');
    },
  });

  const discovery = createDiscovery({
    api: deps.api,
    selector: settings.selector,
    shard: settings.shard,
    logger: deps.logger,
    clock,
    intervalMs: settings.discoveryIntervalMs,
    async onChange({ added, removed }) {
      if (removed.length > 0) {
        await pool
          .removeAgents(removed)
          .catch((err: unknown) => log.error({ err }, 'unsubscribing agents failed'));
        for (const id of removed) {
          pipeline.forget(id);
          mapper.forget(id);
          wfm.forget(id);
        }
      }
      if (added.length > 0) {
        await subscribe(() => pool.addAgents(added));
        wfm.track(added);
        resyncer.request(added, 'discovery');
      }
    },
  });

  const resyncer = createResyncer({
    api: deps.api,
    pipeline,
    metrics,
    logger: deps.logger,
    clock,
    wfm,
    tracked: (id) => discovery.agents().has(id),
  });

  async function subscribe(apply: () => Promise<void>): Promise<void> {
    try {
      await apply();
    } catch (err) {
      if (isGenesysError(err, 'CAPACITY_EXCEEDED')) {
        log.error(
          { unplaced: err.details.agentIds?.length ?? 0 },
          'not every agent fits on the notification channels: the others are tracked',
        );
      } else throw err;
    }
  }

  function onEvent(event: GenesysEvent, ctx: EventContext): void {
    metrics.eventsReceived.inc({ kind: event.kind });
    const mapped = mapper.map(event, ctx.receivedAt);
    const tracked = discovery.agents();
    switch (mapped.kind) {
      case 'signals':
        if (!tracked.has(mapped.agentId)) return;
        for (const update of mapped.updates) {
          pipeline.submit(mapped.agentId, { type: 'SIGNAL', update }, 'event', ctx.receivedAt);
        }
        return;
      case 'membership':
        discovery.onMembership(mapped.queueId);
        return;
      case 'refresh': {
        const ids = mapped.agentIds.filter((id) => tracked.has(id));
        if (mapped.what === 'timeOff') resyncer.requestTimeOff(ids);
        else resyncer.request(ids, 'schedule');
        return;
      }
      case 'ignore':
        return;
    }
  }

  function onDecodeError(failure: DecodeFailure): void {
    metrics.decodeErrors.inc({ reason: failure.reason });
    decodeLog.warn(
      failure.reason,
      { reason: failure.reason, topic: failure.topic, detail: failure.detail.slice(0, 300) },
      'notification could not be decoded: ignored',
    );
  }

  function onGap(gap: GapNotice): void {
    const tracked = discovery.agents();
    resyncer.request(
      gap.agentIds.filter((id) => tracked.has(id)),
      gap.reason,
    );
  }

  function scheduleSafety(): void {
    if (closed) return;
    safetyTimer = clock.setTimeout(() => {
      resyncer.request(discovery.agents(), 'safety');
      scheduleSafety();
    }, settings.safetyResyncIntervalMs);
  }

  metrics.bindSources({
    channelsConnected: () => pool.stats().channels.filter((c) => c.connected).length,
    reconnects: () => pool.stats().channels.reduce((n, c) => n + c.reconnects, 0),
    trackedAgents: () => discovery.agents().size,
  });

  // Rule overrides written through the admin API reach this engine without a restart.
  const policyWatcher = createPolicyWatcher({
    overrides: createPolicyOverrides({ redis, keys }),
    base: settings.policy,
    clock,
    logger: deps.logger,
    onChange: (policy) => pipeline.setPolicy(policy),
  });

  return {
    metrics,
    agents: () => discovery.agents(),
    async start() {
      if (closed) throw new ClosedError('start');
      if (started) return;
      const leader = await leaseKeeper.start();
      if (!leader) log.warn('another engine holds this shard: standing by');
      try {
        const relayed = await outbox.relayAllPending();
        if (relayed > 0) log.info({ relayed }, 'relayed outbox entries left by a previous run');
      } catch (err) {
        log.error({ err }, 'startup outbox relay failed');
      }
      try {
        // Commits only write the open-findings index when an agent's findings change: heal what a crash lost.
        const repaired = await repairFindingsIndex({ redis, keys });
        if (repaired.removed > 0) log.info(repaired, 'open-findings index repaired');
      } catch (err) {
        log.error({ err }, 'startup open-findings index repair failed');
      }
      try {
        // The agent-list indexes of the admin API: agents committed before them, or whose update a crash lost.
        const reindexed = await repairAgentIndex({ redis, keys });
        if (reindexed > 0) log.info({ reindexed }, 'agent-list index repaired');
      } catch (err) {
        log.error({ err }, 'startup agent-list index repair failed');
      }
      await policyWatcher.start();
      const agents = await discovery.start();
      wfm.track(agents);
      unsubscribe.push(
        pool.onEvent(onEvent),
        pool.onDecodeError(onDecodeError),
        pool.onGap(onGap),
        pool.onWfmDisabled((agentIds) => wfm.disabledFor(agentIds)),
      );
      await pool.setQueues(settings.selector.queues);
      await subscribe(() => pool.setAgents(agents));
      await pool.start();
      commandReader = redis.duplicate();
      inbox = createCommandInbox({
        queue: createCommandQueue({ redis, keys, readRedis: commandReader }),
        group: `engine-shard-${settings.shard.index}`,
        consumer: settings.instanceId,
        logger: deps.logger,
        metrics,
        tracked: (id) => discovery.agents().has(id),
        submit: (id, event) => pipeline.submit(id, event, 'event', clock.now()),
        resync: (id) => resyncer.request([id], 'command'),
        flush: () => pipeline.flush(),
      });
      await inbox.start();
      started = true;
      resyncer.request(agents, 'start');
      scheduleSafety();
      log.info({ agents: agents.length, leader }, 'engine started');
    },
    close() {
      closing ??= (async () => {
        closed = true;
        if (safetyTimer !== undefined) clock.clearTimeout(safetyTimer);
        for (const off of unsubscribe.splice(0)) off();
        const steps: Array<[string, () => Promise<void>]> = [
          [
            'commands',
            async () => {
              const stopping = inbox?.close();
              commandReader?.disconnect();
              await stopping;
            },
          ],
          ['discovery', () => discovery.close()],
          ['policy', async () => policyWatcher.close()],
          ['resync', () => resyncer.close()],
          ['pipeline', () => pipeline.close()],
          ['lease', () => leaseKeeper.close()],
        ];
        for (const [name, step] of steps) {
          try {
            await step();
          } catch (err) {
            log.error({ err, step: name }, 'close step failed');
          }
        }
        metrics.leaseHeld.set(0);
        log.info('engine closed');
      })();
      return closing;
    },
    health() {
      const channelsConnected = pool.stats().channels.filter((c) => c.connected).length;
      return {
        ok: started && !closed,
        started,
        leader: leaseKeeper.token() !== null,
        agents: discovery.agents().size,
        channelsConnected,
      };
    },
    async idle() {
      // Resyncs feed the pipeline, never the other way round: one pass of each suffices.
      await resyncer.idle();
      await pipeline.flush();
    },
    resync(agentIds, reason) {
      resyncer.request(agentIds, reason);
    },
    submit(agentId, event, cause) {
      if (closed) throw new ClosedError('submit');
      pipeline.submit(agentId, event, cause, clock.now());
    },
  };
}
