import { type AgentEvent, EventError, parseAgentEvent } from '@lockstep/domain';
import type { CommandQueue, ReceivedCommand } from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineMetrics } from './metrics.js';

export interface CommandInboxOptions {
  readonly queue: CommandQueue;
  /** Consumer group of this engine's shard: every shard reads every command and keeps its own agents'. */
  readonly group: string;
  readonly consumer: string;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** Whether this engine tracks the agent. */
  readonly tracked: (agentId: string) => boolean;
  /** Hands an event to the pipeline. */
  readonly submit: (agentId: string, event: AgentEvent) => void;
  /** Asks for a REST re-read of a tracked agent (`resync` commands, e.g. from the admin API). */
  readonly resync?: (agentId: string) => void;
  /** Resolves once submitted events are committed. */
  readonly flush: () => Promise<void>;
  /** How long one blocking read waits. Default 1,000 ms. */
  readonly blockMs?: number;
}

/** Reads the command stream and feeds declared states (`declare` commands) to the agents' machines. */
export interface CommandInbox {
  start(): Promise<void>;
  /** Stops reading; the caller then closes the blocking client. Idempotent. */
  close(): Promise<void>;
}

/**
 * A `declare` command's body is a `DECLARE` event without its `type`:
 * `{ presence?, routing?, by, at, ttlMs }` (see `@lockstep/domain`). Commands are acknowledged once their events
 * are committed (at-least-once; a replayed declaration is idempotent).
 */
export function createCommandInbox(options: CommandInboxOptions): CommandInbox {
  const log = options.logger.child({ component: 'command-inbox' });
  const blockMs = options.blockMs ?? 1_000;
  let stopped = false;
  let loop: Promise<void> | undefined;

  function handle(command: ReceivedCommand): 'applied' | 'other-shard' | 'rejected' {
    // `resync` (body `{ by, at }`): re-read the agent over REST; nothing to validate beyond the agent id.
    if (command.malformed === undefined && command.type === 'resync' && options.resync !== undefined) {
      if (!options.tracked(command.agentId)) return 'other-shard';
      options.resync(command.agentId);
      return 'applied';
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
      return 'rejected';
    }
    if (!options.tracked(command.agentId)) return 'other-shard';
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
      return 'rejected';
    }
    options.submit(command.agentId, event);
    return 'applied';
  }

  async function run(): Promise<void> {
    while (!stopped) {
      let batch: ReceivedCommand[];
      try {
        batch = await options.queue.read(options.group, options.consumer, 100, blockMs);
      } catch (err) {
        if (stopped) return;
        log.error({ err }, 'reading the command stream failed; retrying');
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (batch.length === 0) continue;
      for (const command of batch) {
        options.metrics.commands.inc({ type: command.type || 'unknown', outcome: handle(command) });
      }
      try {
        await options.flush();
        await options.queue.ack(
          options.group,
          batch.map((c) => c.streamId),
        );
      } catch (err) {
        log.error({ err }, 'acknowledging commands failed; they will be read again');
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
