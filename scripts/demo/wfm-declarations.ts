/**
 * The external WFM platform's side of the Tuesday story: it declares to lockstep the state it pushed, as a desired
 * state from the push on, so lockstep applies it when safe, keeps it and reports each seat's outcome. Each seat of
 * the story's queue that the platform set On Queue is declared once, through the command stream (`declare`).
 */
import type { CommandQueue } from '@lockstep/store';
import type { Truth } from './recorder.js';

export interface WfmDeclarerOptions {
  readonly commands: CommandQueue;
  /** Queue of the pushed seats. */
  readonly queueId: string;
  /** Who pushed, as the simulator records it (`lastChangedBy.presence`). */
  readonly by: string;
  /** How long a declaration holds. */
  readonly ttlMs: number;
  readonly onDeclared: (agentId: string, at: number) => void;
}

/** Declares the seats newly pushed On Queue in `agents` (ground truth); answers how many. */
export function createWfmDeclarer(
  options: WfmDeclarerOptions,
): (agents: readonly Truth[]) => Promise<number> {
  const declared = new Set<string>();
  return async (agents) => {
    const pushed = agents.filter(
      (a) =>
        a.activeQueueIds.includes(options.queueId) &&
        a.lastChangedBy?.presence === options.by &&
        a.presence.systemPresence === 'On Queue' &&
        !declared.has(a.id),
    );
    for (const agent of pushed) {
      declared.add(agent.id);
      const at = Date.now();
      await options.commands.send({
        agentId: agent.id,
        type: 'declare',
        // A desired state from now on: lockstep applies it when safe and keeps it (the story's "make it stick").
        body: {
          presence: 'ON_QUEUE',
          by: options.by,
          at,
          validFrom: at,
          ttlMs: options.ttlMs,
          reason: 'Tuesday 09:00 ready push',
        },
      });
      options.onDeclared(agent.id, at);
    }
    return pushed.length;
  };
}
