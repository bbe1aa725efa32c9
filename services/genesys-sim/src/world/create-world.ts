import { isValidatedScenario, parseScenario } from '../scenario/index.js';
import { type ClockDriver, createClockDriver } from './clock.js';
import type { CreateWorldOptions, SimWorld, TransportFault, WorldAction, WorldEvent } from './contract.js';
import { createCore, type WorldBus } from './core.js';
import { invalidValue } from './errors.js';
import { MAX_FIREHOSE_EVENTS_PER_SECOND } from './firehose.js';
import { createPlatform } from './platform.js';
import { createPresenceCatalogue } from './presence-definitions.js';
import { createRng } from './rng.js';
import { buildPopulation } from './build.js';
import { createUsersRest } from './rest-users.js';
import { createScheduler } from './scheduler.js';
import { createWorldTime } from './time.js';
import { createActions } from './actions.js';
import { createWfm } from './wfm.js';

/**
 * Creates a simulated platform from a scenario. Deterministic: the same scenario, seed and anchor under the
 * virtual clock produce the same `WorldEvent` sequence. The world owns a timer only while started with the real
 * clock; `stop()` is idempotent.
 */
export function createWorld(options: CreateWorldOptions): SimWorld {
  // Scenarios straight from the loader are used as they are; anything else is validated here.
  const scenario = isValidatedScenario(options.scenario) ? options.scenario : parseScenario(options.scenario);
  const seed = options.seed ?? scenario.seed;
  const speed = options.speed ?? scenario.speed;
  const rng = createRng(seed);
  let driver: ClockDriver | undefined;
  const scheduler = createScheduler((at) => driver?.scheduled(at));
  driver = createClockDriver(scheduler, options.clock, speed);
  const time = createWorldTime(scenario.start, options.anchorMs);
  const bus: WorldBus = {
    eventListeners: new Set<(e: WorldEvent) => void>(),
    faultListeners: new Set<(f: TransportFault) => void>(),
  };
  const definitions = createPresenceCatalogue(scenario.presenceDefinitions);
  const core = createCore({ scenario, rng, scheduler, time, definitions }, bus);
  const specs = buildPopulation(core);
  const platform = createPlatform(core);
  const wfm = createWfm(core, specs);
  const users = createUsersRest(core, platform);
  const actions = createActions(core, platform, wfm, specs);
  // Under the real clock a firehose makes `rate × speed` events per wall second: bound that, so the process keeps
  // answering requests. The virtual clock runs only as fast as `advance` asks.
  const maxFirehose =
    options.clock === 'real' ? MAX_FIREHOSE_EVENTS_PER_SECOND / speed : MAX_FIREHOSE_EVENTS_PER_SECOND;
  const checkFirehose = (action: WorldAction): void => {
    if (action.type === 'firehose' && action.eventsPerSecond > maxFirehose) {
      throw invalidValue(
        'eventsPerSecond',
        `${action.eventsPerSecond} (at speed ${speed} at most ${Math.floor(maxFirehose)}, ` +
          `${MAX_FIREHOSE_EVENTS_PER_SECOND} events per wall second)`,
      );
    }
  };
  for (const entry of scenario.timeline) checkFirehose(entry.action);
  actions.init();

  const sync = driver.catchUp;
  // Real clock: every read and write first runs the steps that are due, so callers see current state.
  const synced =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      sync();
      return fn(...args);
    };
  const world: SimWorld = {
    now: () => {
      sync();
      return core.nowWire();
    },
    orgId: scenario.org.id,
    oauthClients: scenario.oauthClients,
    scheduleSearchAnswer: scenario.platform.scheduleSearchAnswer,
    presenceBulkMax: scenario.platform.presenceBulkMax,
    start: () => driver.start(),
    advance: (ms) => driver.advance(ms),
    stop: () => driver.stop(),
    onEvent(listener) {
      bus.eventListeners.add(listener);
      return () => bus.eventListeners.delete(listener);
    },
    onTransportFault(listener) {
      bus.faultListeners.add(listener);
      return () => bus.faultListeners.delete(listener);
    },
    getUser: synced(users.getUser),
    listUsers: synced(users.listUsers),
    presenceDefinitions: () => users.presenceDefinitions(),
    getUserPresence: synced(users.getUserPresence),
    getRoutingStatus: synced(users.getRoutingStatus),
    getUserStation: synced(users.getUserStation),
    getUserQueues: synced(users.getUserQueues),
    getQueueMembers: synced(users.getQueueMembers),
    getAgentManagementUnit: synced(wfm.rest.getAgentManagementUnit),
    listManagementUnits: () => wfm.rest.listManagementUnits(),
    getManagementUnitUsers: (mu) => wfm.rest.getManagementUnitUsers(mu),
    searchAgentSchedules: synced(wfm.rest.searchAgentSchedules),
    getActivityCodes: (bu) => wfm.rest.getActivityCodes(bu),
    getBusinessUnit: (bu, expandSettings) => wfm.rest.getBusinessUnit(bu, expandSettings),
    getAdherence: synced(wfm.rest.getAdherence),
    getManagementUnitAdherence: synced(wfm.rest.getManagementUnitAdherence),
    getTimeOffRequests: synced(wfm.rest.getTimeOffRequests),
    patchPresence: synced(users.patchPresence),
    putPresencesBulk: synced(users.putPresencesBulk),
    putRoutingStatus: synced(users.putRoutingStatus),
    deleteStationAssociation: synced(users.deleteStationAssociation),
    groundTruth: synced(actions.groundTruth),
    act: synced((action) => {
      checkFirehose(action);
      actions.act(action);
    }),
    agentInteractions: synced((id) => {
      const call = core.agents.get(id)?.call;
      if (!call || call.state === 'ended' || call.state === 'waiting') return [];
      const state = call.state === 'connected' && call.held ? ('held' as const) : call.state;
      return [{ conversationId: call.id, media: 'call' as const, state }];
    }),
    hasUser: (id) => core.agents.has(id),
    hasQueue: (id) => core.queues.has(id),
    hasManagementUnit: (id) => wfm.hasManagementUnit(id),
  };
  return world;
}
