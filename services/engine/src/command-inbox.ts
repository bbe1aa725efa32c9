import { type AgentEvent, EventError, parseAgentEvent } from '@lockstep/domain';
import type { CommandQueue, ReceivedCommand } from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineMetrics } from './metrics.js';

export interface CommandInboxOptions {
  readonly queue: CommandQueue;
  /** Consumer group of this engine's shard: every shard reads every command and keeps its own agents'. */
  readonly group: string;
  /** Stable across restarts (the instance id), so a restart reads on as the same consumer. */
  readonly consumer: string;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** Whether this engine holds its shard lease now: commands are read and claimed only then. */
  readonly canAct: () => boolean;
  /** Whether this engine tracks the agent. */
  readonly tracked: (agentId: string) => boolean;
  /** Hands an event to the pipeline; `done` learns whether it was committed. */
  readonly submit: (agentId: string, event: AgentEvent, done: (committed: boolean) => void) => void;
  /** Asks for a REST re-read of a tracked agent (`resync` commands, e.g. from the admin API). */
  readonly resync?: (agentId: string) => void;
  /** How long one blocking read waits. Default 1,000 ms. */
  readonly blockMs?: number;
  /**
   * Commands delivered this long ago and still unacknowledged are claimed again (those of a dead or demoted
   * engine, and this engine's own that were not committed). Default 5,000 ms.
   */
  readonly claimIdleMs?: number;
  /** Longest wait for a command's commit before it is left pending for a later claim. Default 30,000 ms. */
  readonly commitTimeoutMs?: number;
  /** How often a standby checks whether it became the holder. Default 100 ms. */
  readonly standbyPollMs?: number;
}

/** Reads the command stream and feeds declared states (`declare` commands) to the agents' machines. */
export interface CommandInbox {
  start(): Promise<void>;
  /** Stops reading; the caller then closes the blocking client. Idempotent. */
  close(): Promise<void>;
}

type Outcome = 'applied' | 'other-shard' | 'rejected';

/**
 * A `declare` command's body is a `DECLARE` event without its `type`:
 * `{ presence?, routing?, by, at, ttlMs }`, or a declared desired state
 * `{ presence, by, at, validFrom, validUntil | ttlMs, reason?, definitionId?, declarationId?, overridesSchedule? }`
 * (see `@lockstep/domain`). Commands are read only while this engine
 * holds its shard lease, and acknowledged only once their events are committed; what is not committed stays
 * pending and is claimed again after `claimIdleMs` (at-least-once; a replayed declaration is idempotent).
 */
export function createCommandInbox(options: CommandInboxOptions): CommandInbox {
  const log = options.logger.child({ component: 'command-inbox' });
  const blockMs = options.blockMs ?? 1_000;
  const claimIdleMs = options.claimIdleMs ?? 5_000;
  const commitTimeoutMs = options.commitTimeoutMs ?? 30_000;
  const standbyPollMs = options.standbyPollMs ?? 100;
  let stopped = false;
  let loop: Promise<void> | undefined;
  let lastClaim = -Infinity;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Submits an applicable command; resolves whether it may be acknowledged. */
  function handle(command: ReceivedCommand): [Outcome, Promise<boolean>] {
    // `resync` (body `{ by, at }`): re-read the agent over REST; nothing to validate beyond the agent id.
    if (command.malformed === undefined && command.type === 'resync' && options.resync !== undefined) {
      if (!options.tracked(command.agentId)) return ['other-shard', Promise.resolve(true)];
      options.resync(command.agentId);
      return ['applied', Promise.resolve(true)];
    }
    if (command.malformed !== undefined || command.type !== 'declare') {
      log.warn(
        {
          streamId: command.streamId,
          type: command.type,
          problem: command.malformed ?? 'unknown command type',
        },
        'command ignored',
      );
      return ['rejected', Promise.resolve(true)];
    }
    if (!options.tracked(command.agentId)) return ['other-shard', Promise.resolve(true)];
    const body = typeof command.body === 'object' && command.body !== null ? command.body : {};
    let event: AgentEvent;
    try {
      event = parseAgentEvent({ ...body, type: 'DECLARE' });
    } catch (err) {
      const problems = err instanceof EventError ? err.problems : [String(err)];
      log.warn(
        { streamId: command.streamId, agentId: command.agentId, problems },
        'declare command rejected',
      );
      return ['rejected', Promise.resolve(true)];
    }
    const committed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), commitTimeoutMs);
      options.submit(command.agentId, event, (ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
    });
    return ['applied', committed];
  }

  async function handleBatch(batch: readonly ReceivedCommand[]): Promise<void> {
    const handled = batch.map((command) => {
      const [outcome, done] = handle(command);
      options.metrics.commands.inc({ type: command.type || 'unknown', outcome });
      return done.then((ok) => (ok ? command.streamId : undefined));
    });
    const acks = (await Promise.all(handled)).filter((id): id is string => id !== undefined);
    if (acks.length < batch.length) {
      log.warn(
        { pending: batch.length - acks.length },
        'commands not committed (lease lost or commit failed): left pending, claimed again later',
      );
    }
    try {
      await options.queue.ack(options.group, acks);
    } catch (err) {
      log.error({ err }, 'acknowledging commands failed; they will be read again');
    }
  }

  async function step(): Promise<void> {
    if (!options.canAct()) {
      await sleep(standbyPollMs);
      return;
    }
    if (Date.now() - lastClaim >= claimIdleMs / 2) {
      lastClaim = Date.now();
      const claimed = await options.queue.claim(options.group, options.consumer, claimIdleMs, 100);
      if (claimed.length > 0) {
        log.info({ claimed: claimed.length }, 'claimed commands left pending by an earlier holder or commit');
        await handleBatch(claimed);
      }
      // Names left by earlier processes go once they hold no pending command.
      const pruned = await options.queue.pruneConsumers(options.group, options.consumer);
      if (pruned > 0) log.info({ pruned }, 'idle command consumers removed');
    }
    const batch = await options.queue.read(options.group, options.consumer, 100, blockMs);
    if (batch.length === 0) return;
    // Lost the lease while blocked: leave them pending for the holder to claim.
    if (!options.canAct()) return;
    await handleBatch(batch);
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        await step();
      } catch (err) {
        if (stopped) return;
        log.error({ err }, 'reading the command stream failed; retrying');
        await sleep(1_000);
      }
    }
  }

  return {
    async start() {
      await options.queue.ensureGroup(options.group);
      loop ??= run();
    },
    async close() {
      stopped = true;
      await loop;
    },
  };
}
