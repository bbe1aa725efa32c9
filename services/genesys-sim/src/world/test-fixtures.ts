import { parseScenario, type Scenario } from '../scenario/index.js';
import type { SimWorld, WorldEvent } from './contract.js';
import { createWorld } from './create-world.js';

/** Ids used by the small test scenario. */
export const FIX = {
  queue: '00000000-0000-4000-8000-00000000a001',
  queue2: '00000000-0000-4000-8000-00000000a002',
  mu: '00000000-0000-4000-8000-00000000b001',
  bu: '00000000-0000-4000-8000-00000000c001',
  agent: (n: number): string => `00000000-0000-4000-8000-00000000d${String(n).padStart(3, '0')}`,
} as const;

/**
 * A small scenario for tests: one queue (no random arrivals unless given), one MU in America/Chicago, `agents`
 * explicit agents (On Queue, joined, station associated, always answering after 1 s). `patch` is merged over it.
 */
export function testScenario(patch: Record<string, unknown> = {}, agents = 3): Scenario {
  const base = {
    name: 'test',
    seed: 7,
    start: { local: '2024-03-05T09:00', zone: 'America/Chicago' },
    queues: [
      { id: FIX.queue, name: 'Q1', callsPerMinute: 0, handleTimeSec: { mean: 60 }, wrapupSec: 10 },
      { id: FIX.queue2, name: 'Q2', callsPerMinute: 0 },
    ],
    businessUnits: [{ id: FIX.bu, name: 'BU' }],
    managementUnits: [{ id: FIX.mu, name: 'MU', businessUnitId: FIX.bu, timeZone: 'America/Chicago' }],
    agents: Array.from({ length: agents }, (_, i) => ({
      id: FIX.agent(i + 1),
      name: `Agent ${i + 1}`,
      queues: [FIX.queue],
      managementUnitId: FIX.mu,
      presence: 'On Queue',
      behaviour: { answerDelaySec: { min: 1, max: 1 }, recoverFromNotRespondingSec: null },
    })),
  };
  return parseScenario({ ...base, ...patch });
}

/** Anchor so that wire instants equal the scenario's own calendar (2024-03-05T09:00 America/Chicago). */
export const TEST_ANCHOR = Date.parse('2024-03-05T15:00:00Z');

/** A virtual-clock world over `scenario` that records every event. */
export function recordedWorld(scenario: Scenario, seed?: number): { world: SimWorld; events: WorldEvent[] } {
  const world = createWorld({
    scenario,
    clock: 'virtual',
    anchorMs: TEST_ANCHOR,
    ...(seed === undefined ? {} : { seed }),
  });
  const events: WorldEvent[] = [];
  world.onEvent((e) => events.push(e));
  return { world, events };
}

/** Events of one topic suffix (e.g. `.routingStatus`) for one agent. */
export function topicEvents(events: readonly WorldEvent[], agentId: string, suffix: string): WorldEvent[] {
  return events.filter((e) => e.topicName === `v2.users.${agentId}${suffix}`);
}

/** Routing statuses in event order for one agent. */
export function routingSequence(events: readonly WorldEvent[], agentId: string): string[] {
  return topicEvents(events, agentId, '.routingStatus').map(
    (e) => (e.eventBody as { routingStatus: { status: string } }).routingStatus.status,
  );
}
