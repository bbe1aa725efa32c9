import type { PlatformOptions, Scenario } from '../scenario/index.js';
import type { TransportFault, WorldEvent } from './contract.js';
import type { PresenceDefinition } from './presence-definitions.js';
import type { WorldRng } from './rng.js';
import type { Scheduler } from './scheduler.js';
import type { AgentState, QueueState } from './state.js';
import type { WorldTime } from './time.js';

/** Callbacks the world's modules use to reach each other without import cycles (wired by `createWorld`). */
export interface WorldHooks {
  /** After any change of an agent's presence, routing, station or queues: adherence, routing of waiting calls. */
  agentChanged(agent: AgentState): void;
  /** After a presence change (for actor reactions such as reverts and login-time faults). */
  presenceChanged(agent: AgentState, previous: PresenceDefinition, by: string): void;
  /** After the agent entered NOT_RESPONDING. */
  notResponding(agent: AgentState): void;
}

/** Shared state and services of one world. Internal to `world/`; the transport only sees `SimWorld`. */
export interface WorldCore {
  readonly scenario: Scenario;
  readonly platform: PlatformOptions;
  readonly rng: WorldRng;
  readonly scheduler: Scheduler;
  readonly time: WorldTime;
  readonly definitions: Map<string, PresenceDefinition>;
  readonly agents: Map<string, AgentState>;
  /** Agents in scenario order (stable iteration order for determinism). */
  readonly agentList: AgentState[];
  readonly queues: Map<string, QueueState>;
  hooks: WorldHooks;
  /** Wire ms of the current simulated instant. */
  nowWire(): number;
  /** Schedules a step at a wire instant. */
  atWire(wireMs: number, step: () => void): number;
  emit(topicName: string, eventBody: Record<string, unknown>, agentId?: string): void;
  emitFault(fault: TransportFault): void;
  /** Number of events emitted so far (the firehose meters itself with it). */
  readonly emitted: number;
}

export interface CoreParts {
  scenario: Scenario;
  rng: WorldRng;
  scheduler: Scheduler;
  time: WorldTime;
  definitions: Map<string, PresenceDefinition>;
}

/** Listener registries of a world; errors thrown by listeners are isolated from the simulation. */
export interface WorldBus {
  readonly eventListeners: Set<(event: WorldEvent) => void>;
  readonly faultListeners: Set<(fault: TransportFault) => void>;
}

/** Creates the core with empty agent and queue maps; `createWorld` fills them and sets the hooks. */
export function createCore(parts: CoreParts, bus: WorldBus): WorldCore {
  const { scheduler, time, rng } = parts;
  let emitted = 0;
  const noop = (): void => {};
  const core: WorldCore = {
    ...parts,
    platform: parts.scenario.platform,
    agents: new Map(),
    agentList: [],
    queues: new Map(),
    hooks: { agentChanged: noop, presenceChanged: noop, notResponding: noop },
    nowWire: () => time.anchorMs + scheduler.now,
    atWire: (wireMs, step) => scheduler.at(wireMs - time.anchorMs, step),
    emit(topicName, eventBody, agentId) {
      emitted++;
      const event: WorldEvent =
        agentId === undefined
          ? { topicName, eventBody, correlationId: rng.uuid() }
          : { topicName, eventBody, correlationId: rng.uuid(), agentId };
      for (const listener of bus.eventListeners) {
        try {
          listener(event);
        } catch {
          // A failing consumer must not corrupt the simulation; the transport reports its own errors.
        }
      }
    },
    emitFault(fault) {
      for (const listener of bus.faultListeners) {
        try {
          listener(fault);
        } catch {
          // Same isolation as events.
        }
      }
    },
    get emitted() {
      return emitted;
    },
  };
  return core;
}
