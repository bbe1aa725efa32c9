/**
 * The external WFM platform's side of the Tuesday story: it tells lockstep which states it pushed, so lockstep can
 * hold it to them (state-not-sticking when a pushed state is reverted). Each seat of the story's queue that the
 * platform set On Queue is declared once, through the command stream (`declare` commands).
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
        body: { presence: 'ON_QUEUE', by: options.by, at, ttlMs: options.ttlMs },
      });
      options.onDeclared(agent.id, at);
    }
    return pushed.length;
  };
}
