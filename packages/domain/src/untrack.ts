import type { AgentContext } from './context.js';
import type { Effect } from './effects.js';
import type { UntrackedEvent } from './events.js';
import { toFinding } from './findings.js';
import type { Policy } from './policy.js';
import { RULES } from './rules/catalogue.js';

/**
 * The agent left the selection: every open finding resolves at the event's time with the resolution
 * `untracked`, the deadline is dropped and health returns to `inSync`. Signals, declarations and correction
 * times are kept (the agent may be selected again). No rule is evaluated. Pure; returns the same context when
 * nothing changes (no open finding, no deadline, the clock not advanced).
 */
export function untrackAgent(
  context: AgentContext,
  event: UntrackedEvent,
  policy: Policy,
): { context: AgentContext; effects: Effect[] } {
  const clock = Number.isFinite(event.at) ? Math.max(context.clock, event.at) : context.clock;
  const effects: Effect[] = [];
  for (const rule of RULES) {
    const open = context.findings[rule.id];
    if (open === undefined) continue;
    const finding = toFinding(context.agentId, rule.id, policy.rules[rule.id].action, open);
    effects.push({
      type: 'finding.resolved',
      finding: { ...finding, updatedAt: clock, resolvedAt: clock, resolution: 'untracked' },
    });
  }
  if (
    effects.length === 0 &&
    clock === context.clock &&
    context.deadline === null &&
    context.health === 'inSync'
  ) {
    return { context, effects };
  }
  return {
    context: { ...context, clock, findings: {}, deadline: null, health: 'inSync' },
    effects,
  };
}
