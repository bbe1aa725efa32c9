import { type AgentEvent, createAgentMachine } from '@lockstep/domain';
import { type ChannelPool, type Clock, type GenesysApi, systemClock } from '@lockstep/genesys';
import {
  createAgentStore,
  createEngineStatusStore,
  createKeys,
  createOutbox,
  createPolicyOverrides,
  createReads,
  createScheduleCache,
  type RedisClient,
} from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineConfig } from './config.js';
import { createDiscovery } from './discovery.js';
import { ClosedError } from './errors.js';
import { createEventRouter } from './event-router.js';
import type { AttributesKeeper } from './incidents/attributes-keeper.js';
import { wfmFactsOfSchedule } from './incidents/attributes-of.js';
import { createIncidents, type IncidentsSettings } from './incidents/incidents.js';
import { createLeadership, type Leadership } from './leadership.js';
import { createStatusReporter } from './status-reporter.js';
import { createMetrics, type EngineMetrics } from './metrics.js';
import { createEventMapper } from './pipeline/map-event.js';
import type { EffectsExecutor } from './pipeline/effects.js';
import { createPipeline, type Pipeline } from './pipeline/pipeline.js';
import { createPolicyWatcher } from './policy-watcher.js';
import { createRedisWatch } from './redis-watch.js';
import { createResyncer } from './resync.js';
import { createSafetyResync } from './safety-resync.js';
import { createScheduleLoader } from './schedule-loader.js';
import { createScheduleService } from './schedules.js';
import { repairAtStartup } from './startup-repair.js';
import { subscribeAgents } from './subscriptions.js';
import { createUntracker } from './untracked.js';
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
  | 'schedules'
  | 'scheduleRefreshMs'
  | 'scheduleDownloadHttp'
  | 'batchWindowMs'
  | 'futureToleranceMs'
  | 'hotAgents'
  | 'leaseTtlMs'
  | 'leaseRenewMs'
  | 'historyMaxLen'
  | 'instanceId'
> & {
  /** Incident grouping; absent: attributes are kept, no grouper runs. */
  readonly incidents?: IncidentsSettings;
};

/** What the engine is given; it closes none of these (whoever created them does). */
export interface EngineDeps {
  readonly redis: RedisClient;
  readonly api: Pick<GenesysApi, 'users' | 'wfm'>;
  readonly pool: ChannelPool;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly metrics?: EngineMetrics;
  /** Where committed effects go besides the outbox (corrections): called under the lease, see `EffectsExecutor`. */
  readonly effects?: EffectsExecutor;
}

export interface EngineHealth {
  /** Started, not closed, and ready. */
  readonly ok: boolean;
  readonly started: boolean;
  /** Every selector item has resolved at least once (false while discovery retries, e.g. during an outage). */
  readonly ready: boolean;
  readonly leader: boolean;
  /** Whether Redis answers (`ok` is false while it does not). */
  readonly redis: 'up' | 'unreachable';
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
  /**
   * The lease seam: every side effect (commits, corrections, paging) checks `canAct()` or calls `assertHeld()`
   * right before it goes out, and carries `token()` as its fencing token.
   */
  readonly leadership: Pick<Leadership, 'canAct' | 'assertHeld' | 'token'>;
  /** Agents tracked now. */
  agents(): ReadonlySet<string>;
  health(): EngineHealth;
  /** Resolves once queued resyncs and events are processed (tests, shutdown). */
  idle(): Promise<void>;
  /** Re-reads agents over REST now (e.g. from an admin action). */
  resync(agentIds: Iterable<string>, reason: string): void;
  /** Feeds an event from outside the notification stream, e.g. a `DECLARE` after a correction. */
  submit(agentId: string, event: AgentEvent, cause: 'event' | 'correction'): void;
  /** Agent attributes for incidents: WFM facts go in through `setWfmFacts`. */
  readonly incidentAttributes: Pick<AttributesKeeper, 'setWfmFacts' | 'attributes' | 'flush'>;
}

/** Creates the engine: wires its parts, each in its own file. Only `start()` does I/O. */
export function createEngine(settings: EngineSettings, deps: EngineDeps): Engine {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger.child({ component: 'engine' });
  const metrics = deps.metrics ?? createMetrics();
  const { redis, pool } = deps;
  const keys = createKeys(settings.keyPrefix);
  const reads = createReads({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'lockstep' });
  const machine = createAgentMachine(settings.policy);
  const eventTimes = {
    futureToleranceMs: settings.futureToleranceMs,
    onClamped: (signal: string) => metrics.eventTimesClamped.inc({ signal }),
  };
  const mapper = createEventMapper(eventTimes);
  let started = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  const unsubscribe: Array<() => void> = [];

  const leadership = createLeadership({
    redis,
    keys,
    shard: settings.shard,
    instanceId: settings.instanceId,
    ttlMs: settings.leaseTtlMs,
    renewMs: settings.leaseRenewMs,
    clock,
    logger: deps.logger,
    metrics,
    onAcquired() {
      pipeline.reset();
      if (started) resyncer.request(discovery.agents(), 'lease');
    },
    onLost() {
      pipeline.reset();
    },
    tracked: (id) => discovery.agents().has(id),
    submit: (id, event, done) => pipeline.submit(id, event, 'event', clock.now(), done),
    resync: (id) => resyncer.request([id], 'command'),
  });

  const incidents = createIncidents(
    settings.incidents ?? { enabled: false, minAgents: 5, windowMs: 300_000, intervalMs: 5_000 },
    {
      redis,
      keys,
      outbox,
      clock,
      logger: deps.logger,
      registry: metrics.registry,
      owner: settings.instanceId,
      memberships: (id) => discovery.memberships(id),
      canAct: () => leadership.canAct(),
    },
  );

  const pipeline: Pipeline = createPipeline({
    machine,
    policy: settings.policy,
    store: createAgentStore({
      redis,
      keys,
      historyMaxLen: settings.historyMaxLen,
      lease: leadership.leaseName,
    }),
    reads,
    outbox,
    metrics,
    logger: deps.logger,
    clock,
    fence: () => leadership.token(),
    stillHolds: (fence) => leadership.token() === fence,
    onFenceRejected: () => leadership.markLost(),
    onLost: (agentIds) => redisWatch.lost(agentIds),
    ...(deps.effects === undefined ? {} : { effects: deps.effects }),
    batchWindowMs: settings.batchWindowMs,
    hotAgents: settings.hotAgents,
    onCommitted: (agentId, context, effects) => {
      incidents.keeper.noteCommitted(agentId, context, effects);
      // A sent correction is confirmed by the state the events commit, without a REST read.
      deps.effects?.noteCommitted?.(agentId, context.signals);
    },
  });

  // Agents whose events could not be committed are re-read over REST as soon as Redis answers again.
  const redisWatch = createRedisWatch({
    redis,
    clock,
    logger: deps.logger,
    metrics,
    onRecovered(agentIds) {
      const tracked = discovery.agents();
      resyncer.request(
        agentIds.filter((id) => tracked.has(id)),
        'redis',
      );
      void pipeline.sweepOutbox();
    },
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
    onReady: () => void untracker.sweep(),
    onMemberships: (agentIds) => incidents.keeper.touch(agentIds),
    async onChange({ added, removed }) {
      if (removed.length > 0) {
        await pool
          .removeAgents(removed)
          .catch((err: unknown) => log.error({ err }, 'unsubscribing agents failed'));
        // Nothing watches them any more: their open findings resolve before they are forgotten.
        await untracker.untrack(removed);
        await incidents.keeper.forget(removed);
        for (const id of removed) {
          schedules?.forget(id);
          pipeline.forget(id);
          mapper.forget(id);
          wfm.forget(id);
          resyncer.forget(id);
        }
      }
      if (added.length > 0) {
        await subscribeAgents(pool, 'add', added, log);
        wfm.track(added);
        resyncer.request(added, 'discovery');
        await schedules?.track(added);
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
    eventTimes,
    conversations: mapper,
    onUserRead: (user) => incidents.keeper.noteUser(user),
    onWfmUnit: (agentId, unit) => incidents.keeper.setWfmFacts(agentId, unit),
  });

  const schedules =
    settings.wfm && settings.schedules
      ? createScheduleService({
          loader: createScheduleLoader({
            wfm: deps.api.wfm,
            allowHttpDownloads: settings.scheduleDownloadHttp,
            onProblems: (agentId, problems) =>
              log.warn({ agentId, problems: problems.slice(0, 5) }, 'parts of a schedule could not be read'),
            onUnknownZone: (businessUnitId, zone) =>
              log.warn(
                { businessUnitId, zone: zone ?? null },
                'business unit time zone missing or not an IANA zone: its schedules are computed in UTC',
              ),
          }),
          cache: createScheduleCache({ redis, keys }),
          submit(agentId, update) {
            // How and when the schedule last changed is an attribute incidents compare.
            if (update.signal === 'plannedSchedule') {
              incidents.keeper.setWfmFacts(agentId, wfmFactsOfSchedule(update.value));
            }
            pipeline.submit(agentId, { type: 'RESYNC', at: update.at, updates: [update] }, 'resync');
          },
          wfm,
          tracked: (id) => discovery.agents().has(id),
          clock,
          logger: deps.logger,
          refreshIntervalMs: settings.scheduleRefreshMs,
          onManagementUnits: (muIds) =>
            void pool
              .setManagementUnits(muIds)
              .catch((err: unknown) => log.warn({ err }, 'subscribing management-unit topics failed')),
        })
      : null;

  const untracker = createUntracker({
    reads,
    pipeline,
    shard: settings.shard,
    tracked: () => discovery.agents(),
    logger: deps.logger,
    clock,
  });

  const router = createEventRouter({
    mapper,
    pipeline,
    resyncer,
    tracked: () => discovery.agents(),
    onMembership: (queueId) => discovery.onMembership(queueId),
    onScheduleChanged: (agentIds, origin, at) => schedules?.changed(agentIds, origin, at),
    metrics,
    logger: log,
    now: () => clock.now(),
  });

  // Rule changes made through the admin API reach the pipeline within seconds, without a restart.
  const policyWatcher = createPolicyWatcher({
    overrides: createPolicyOverrides({ redis, keys }),
    base: settings.policy,
    clock,
    logger: deps.logger,
    onChange: (policy) => pipeline.setPolicy(policy),
  });

  const safety = createSafetyResync({
    clock,
    intervalMs: settings.safetyResyncIntervalMs,
    resyncAll: () => resyncer.request(discovery.agents(), 'safety'),
  });

  // The Genesys channels with a live socket: for the metrics, /healthz and the status report.
  const channelsConnected = () => pool.stats().channels.filter((c) => c.connected).length;
  metrics.bindSources({
    channelsConnected,
    reconnects: () => pool.stats().channels.reduce((n, c) => n + c.reconnects, 0),
    trackedAgents: () => discovery.agents().size,
    selectorItemsFailing: () => discovery.failing().length,
  });

  // What /readyz of the admin API reads: the shard holder's readiness and its Genesys channels.
  const status = createStatusReporter({
    store: createEngineStatusStore({ redis, keys }),
    status: () => ({
      instance: settings.instanceId,
      shard: settings.shard.index,
      ready: discovery.ready(),
      agents: discovery.agents().size,
      channels: { connected: channelsConnected(), total: pool.stats().channels.length },
    }),
    canAct: () => leadership.canAct(),
    clock,
    logger: deps.logger,
  });

  return {
    metrics,
    leadership,
    agents: () => discovery.agents(),
    async start() {
      if (closed) throw new ClosedError('start');
      if (started) return;
      const leader = await leadership.start();
      if (!leader) log.warn('another engine holds this shard: standing by');
      await repairAtStartup({ redis, keys, outbox, logger: log });
      await policyWatcher.start();
      const agents = await discovery.start();
      wfm.track(agents);
      unsubscribe.push(
        pool.onEvent(router.onEvent),
        pool.onDecodeError(router.onDecodeError),
        pool.onGap(router.onGap),
        pool.onWfmDisabled((agentIds) => wfm.disabledFor(agentIds)),
      );
      await pool.setQueues(settings.selector.queues);
      await subscribeAgents(pool, 'set', agents, log);
      await pool.start();
      await leadership.startInbox();
      started = true;
      redisWatch.start();
      resyncer.request(agents, 'start');
      if (schedules !== null) {
        await schedules.track([...agents]);
        schedules.start();
      }
      if (discovery.ready()) await untracker.sweep();
      safety.start();
      incidents.start();
      status.start();
      log.info({ agents: agents.length, leader }, 'engine started');
    },
    close() {
      closing ??= (async () => {
        closed = true;
        safety.stop();
        for (const off of unsubscribe.splice(0)) off();
        const steps: Array<[string, () => Promise<void>]> = [
          ['commands', () => leadership.stopInbox()],
          ['status', () => status.close()],
          ['redis watch', () => redisWatch.close()],
          ['discovery', () => discovery.close()],
          ['policy', async () => policyWatcher.close()],
          ['resync', () => resyncer.close()],
          ['schedules', () => schedules?.close() ?? Promise.resolve()],
          ['pipeline', () => pipeline.close()],
          ['incidents', () => incidents.close()],
          ['lease', () => leadership.close()],
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
      const redisUp = redisWatch.up();
      const ready = discovery.ready();
      return {
        ok: started && !closed && redisUp && ready,
        started,
        ready,
        leader: leadership.canAct(),
        redis: redisUp ? 'up' : 'unreachable',
        agents: discovery.agents().size,
        channelsConnected: channelsConnected(),
      };
    },
    async idle() {
      // Resyncs feed the pipeline, never the other way round: one pass of each suffices.
      await schedules?.idle();
      await resyncer.idle();
      await pipeline.flush();
    },
    resync(agentIds, reason) {
      resyncer.request(agentIds, reason);
    },
    incidentAttributes: incidents.keeper,
    submit(agentId, event, cause) {
      if (closed) throw new ClosedError('submit');
      pipeline.submit(agentId, event, cause, clock.now());
    },
  };
}
