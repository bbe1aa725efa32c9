import { createRng, hashString } from '../world/rng.js';
import type { Scenario, ScenarioAgent } from './schema.js';

/** One concrete agent of a scenario: an explicit agent or a member of a generated group. */
export interface ExpandedAgent extends ScenarioAgent {
  /** The group id, or null for explicitly listed agents. */
  readonly groupId: string | null;
  /** 1-based index within the group (1 for explicit agents). */
  readonly indexInGroup: number;
}

function fill(pattern: string, group: string, n: number): string {
  return pattern
    .replaceAll('{group}', group)
    .replace(/\{n(?::(\d+))?\}/g, (_m, width: string | undefined) =>
      width ? String(n).padStart(Number(width), '0') : String(n),
    );
}

/**
 * Lists every agent of the scenario in a stable order: explicit agents first, then groups in file order.
 * Generated ids do not depend on the world seed (they come from the group id), so they are stable across runs.
 * Pure: the same scenario always yields the same list.
 */
export function expandAgents(scenario: Pick<Scenario, 'agents' | 'agentGroups'>): ExpandedAgent[] {
  const out: ExpandedAgent[] = scenario.agents.map((a) => ({ ...a, groupId: null, indexInGroup: 1 }));
  for (const group of scenario.agentGroups) {
    const { count, idPattern, namePattern, id: groupId, ...common } = group;
    const idRng = idPattern ? undefined : createRng(hashString(`agent-group:${groupId}`));
    for (let n = 1; n <= count; n++) {
      out.push({
        ...common,
        id: idPattern ? fill(idPattern, groupId, n) : idRng!.uuid(),
        name: fill(namePattern, groupId, n),
        groupId,
        indexInGroup: n,
      });
    }
  }
  return out;
}
