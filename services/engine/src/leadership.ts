import type { AgentEvent } from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import { createCommandQueue, createLeases, type Keys, type Lease, type RedisClient } from '@lockstep/store';
import type { Logger } from 'pino';
import { type CommandInbox, createCommandInbox } from './command-inbox.js';
import { createLeaseKeeper } from './lease-keeper.js';
import type { EngineMetrics } from './metrics.js';
import type { Shard } from './selector.js';

export interface LeadershipDeps {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly shard: Shard;
  readonly instanceId: string;
  readonly ttlMs: number;
  readonly renewMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** The lease was (re)acquired with a new fencing token. */
  readonly onAcquired: (lease: Lease) => void;
  /** The lease was lost: caches are stale from now on. */
  readonly onLost: () => void;
  /** Whether this engine tracks the agent (commands for others are left to their shard). */
  readonly tracked: (agentId: string) => boolean;
  /** Hands a declared state to the pipeline; `done` learns whether it was committed. */
  readonly submit: (agentId: string, event: AgentEvent, done: (committed: boolean) => void) => void;
  /** Asks for a REST re-read of a tracked agent (`resync` commands). */
  readonly resync?: (agentId: string) => void;
}

/**
 * Everything that runs only under the shard lease: the lease itself and the command inbox. Side effects
 * (commits, and later corrections and paging) go out only while `canAct()`; `assertHeld()` is the check an
 * effects executor calls right before each one.
 */
export interface Leadership {
  /** Acquires the lease or stands by; resolves with whether this engine holds it. */
  start(): Promise<boolean>;
  /** Starts the command inbox (it reads only while the lease is held). Creates its own blocking client. */
  startInbox(): Promise<void>;
  /** The fencing token, `null` unless the lease is held and its local deadline is ahead. */
  token(): number | null;
  canAct(): boolean;
  /** The fencing token; throws `NotLeaderError` unless `canAct()`. */
  assertHeld(what: string): number;
  /** A commit was fenced off: the lease is treated as lost until re-acquired. */
  markLost(): void;
  /** The name of the shard lease (what commits are fenced with). */
  readonly leaseName: string;
  /** Stops the inbox and closes its client (before the pipeline drains). Idempotent. */
  stopInbox(): Promise<void>;
  /** Stops the inbox if still running and releases the lease. Idempotent; every step runs. */
  close(): Promise<void>;
}

export function createLeadership(deps: LeadershipDeps): Leadership {
  const log = deps.logger.child({ component: 'leadership' });
  const leaseName = `engine:shard:${deps.shard.index}`;
  const keeper = createLeaseKeeper({
    leases: createLeases({ redis: deps.redis, keys: deps.keys }),
    name: leaseName,
    owner: deps.instanceId,
    shard: `${deps.shard.index}/${deps.shard.count}`,
    ttlMs: deps.ttlMs,
    renewMs: deps.renewMs,
    clock: deps.clock,
    logger: deps.logger,
    onAcquired(lease) {
      deps.metrics.leaseHeld.set(1);
      deps.onAcquired(lease);
    },
    onLost() {
      deps.metrics.leaseHeld.set(0);
      deps.onLost();
    },
  });
  // Blocking reads of the command stream need a connection of their own.
  let reader: RedisClient | undefined;
  let inbox: CommandInbox | undefined;
  let closing: Promise<void> | undefined;
  let stoppingInbox: Promise<void> | undefined;

  function stopInbox(): Promise<void> {
    stoppingInbox ??= (async () => {
      const stopping = inbox?.close();
      reader?.disconnect();
      await stopping;
    })();
    return stoppingInbox;
  }

  return {
    leaseName,
    start: () => keeper.start(),
    async startInbox() {
      reader = deps.redis.duplicate();
      inbox = createCommandInbox({
        queue: createCommandQueue({ redis: deps.redis, keys: deps.keys, readRedis: reader }),
        group: `engine-shard-${deps.shard.index}`,
        consumer: deps.instanceId,
        logger: deps.logger,
        metrics: deps.metrics,
        canAct: () => keeper.canAct(),
        tracked: deps.tracked,
        submit: deps.submit,
        ...(deps.resync === undefined ? {} : { resync: deps.resync }),
      });
      await inbox.start();
    },
    stopInbox,
    token: () => keeper.token(),
    canAct: () => keeper.canAct(),
    assertHeld: (what) => keeper.assertHeld(what),
    markLost: () => keeper.markLost(),
    close() {
      closing ??= (async () => {
        const steps: Array<[string, () => Promise<void>]> = [
          ['commands', stopInbox],
          ['lease', () => keeper.close()],
        ];
        for (const [name, step] of steps) {
          try {
            await step();
          } catch (err) {
            log.error({ err, step: name }, 'close step failed');
          }
        }
        deps.metrics.leaseHeld.set(0);
      })();
      return closing;
    },
  };
}
