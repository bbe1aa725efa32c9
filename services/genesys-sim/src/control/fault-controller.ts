import type { Logger } from 'pino';
import type { HttpFaults } from '../http/http-faults.js';
import type { TokenStore } from '../http/token-store.js';
import type { ChannelRegistry } from '../notifications/channel-registry.js';
import type { DeliveryFaults } from '../notifications/delivery-faults.js';
import type { SocketHub } from '../notifications/socket-hub.js';
import type { TransportFault } from '../world/contract.js';

/** A fault that lasts (until its duration ends or it is deleted). */
export interface ActiveFault {
  readonly id: string;
  readonly fault: TransportFault;
  /** Real-clock ms. */
  readonly startedAt: number;
  readonly endsAt: number | null;
}

/** What applying a fault did. One-shot faults (kill, closing, expire, revoke) are not kept as active. */
export interface FaultResult {
  readonly id: string;
  readonly active: boolean;
  /** Sockets, channels or tokens affected by a one-shot fault. */
  readonly affected?: number;
}

export interface FaultController {
  apply(fault: TransportFault): FaultResult;
  /** Ends an active fault; false when there is none with that id. */
  end(id: string): boolean;
  list(): ActiveFault[];
  /** Ends every fault and timer. Idempotent. */
  close(): void;
}

export interface FaultControllerDeps {
  readonly hub: SocketHub;
  readonly registry: ChannelRegistry;
  readonly tokens: TokenStore;
  readonly deliveryFaults: DeliveryFaults;
  readonly httpFaults: HttpFaults;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/** Defaults of optional fault fields (documented in docs/genesys-sim.md). */
export const FAULT_DEFAULTS = {
  eventDelayMs: 1000,
  reorderHoldMs: 250,
  stormRetryAfterSec: 5,
  serverErrorStatus: 503,
  serverErrorProbability: 0.5,
} as const;

/** Carries out transport faults, from the control API or the scenario timeline. */
export function createFaultController(deps: FaultControllerDeps): FaultController {
  const clock = deps.clock ?? Date.now;
  const log = deps.logger.child({ component: 'faults' });
  const active = new Map<
    string,
    { info: ActiveFault; timer: NodeJS.Timeout | undefined; undo: () => void }
  >();
  let seq = 0;

  const keep = (fault: TransportFault, durationMs: number | undefined, undo: () => void, id: string) => {
    const startedAt = clock();
    const timer =
      durationMs === undefined
        ? undefined
        : setTimeout(() => {
            controller.end(id);
          }, durationMs);
    timer?.unref();
    active.set(id, {
      info: { id, fault, startedAt, endsAt: durationMs === undefined ? null : startedAt + durationMs },
      timer,
      undo,
    });
    return { id, active: true };
  };

  const controller: FaultController = {
    apply(fault) {
      const id = `fault-${++seq}`;
      log.info({ id, fault }, 'fault applied');
      switch (fault.kind) {
        case 'events':
          deps.deliveryFaults.add(id, {
            mode: fault.mode,
            ...(fault.topic !== undefined ? { topic: fault.topic.toLowerCase() } : {}),
            ...(fault.agentId !== undefined ? { agentId: fault.agentId } : {}),
            probability: fault.probability ?? 1,
            delayMs:
              fault.delayMs ??
              (fault.mode === 'reorder' ? FAULT_DEFAULTS.reorderHoldMs : FAULT_DEFAULTS.eventDelayMs),
          });
          return keep(fault, fault.durationMs, () => deps.deliveryFaults.remove(id), id);
        case 'heartbeats-stop':
          deps.hub.stopHeartbeats(id, fault.channelId);
          return keep(fault, fault.durationMs, () => deps.hub.resumeHeartbeats(id), id);
        case 'rate-limit-storm':
          deps.httpFaults.add(id, {
            kind: 'rate-limit-storm',
            ...(fault.clientId !== undefined ? { clientId: fault.clientId } : {}),
            retryAfterSec: fault.retryAfterSec ?? FAULT_DEFAULTS.stormRetryAfterSec,
          });
          return keep(fault, fault.durationMs, () => deps.httpFaults.remove(id), id);
        case 'server-errors':
          deps.httpFaults.add(id, {
            kind: 'server-errors',
            status: fault.status ?? FAULT_DEFAULTS.serverErrorStatus,
            probability: fault.probability ?? FAULT_DEFAULTS.serverErrorProbability,
          });
          return keep(fault, fault.durationMs, () => deps.httpFaults.remove(id), id);
        case 'socket-kill':
          return { id, active: false, affected: deps.hub.kill(fault.channelId) };
        case 'socket-closing':
          return { id, active: false, affected: deps.hub.warnClosing(fault.channelId, fault.closeAfterMs) };
        case 'channel-expire': {
          const targets = [...deps.registry.all()].filter(
            (c) => fault.channelId === undefined || c.id === fault.channelId,
          );
          for (const c of targets) deps.registry.remove(c, 'expired');
          return { id, active: false, affected: targets.length };
        }
        case 'token-revoke':
          return { id, active: false, affected: deps.tokens.revokeClient(fault.clientId) };
        case 'garbage':
          return {
            id,
            active: false,
            affected: deps.hub.inject(fault.frames ?? garbageFrames(fault.agentId), fault.channelId),
          };
      }
    },
    end(id) {
      const entry = active.get(id);
      if (!entry) return false;
      active.delete(id);
      if (entry.timer) clearTimeout(entry.timer);
      entry.undo();
      log.info({ id }, 'fault ended');
      return true;
    },
    list() {
      return [...active.values()].map((e) => e.info);
    },
    close() {
      for (const id of [...active.keys()]) controller.end(id);
    },
  };
  return controller;
}

/** One frame of each kind a notification client must survive without touching state. */
export function garbageFrames(agentId = '00000000-0000-4000-8000-000000000000'): string[] {
  return [
    '{"topicName":"v2.users.' + agentId + '.presence","version":"2","eventBody":{',
    JSON.stringify({ topicName: 'v2.unknown.things.42', version: '2', eventBody: {}, metadata: {} }),
    JSON.stringify({
      topicName: `v2.users.${agentId}.presence`,
      version: '2',
      eventBody: { presenceDefinition: 'not-an-object', modifiedDate: 'yesterday' },
      metadata: { CorrelationId: 'garbage' },
    }),
  ];
}
