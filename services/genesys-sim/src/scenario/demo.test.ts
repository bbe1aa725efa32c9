import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentTruth, WorldEvent } from '../world/contract.js';
import { createWorld } from '../world/create-world.js';
import { loadScenario, SHIPPED_SCENARIO_DIR } from './load.js';

const raw = (name: string) =>
  JSON.parse(readFileSync(resolve(SHIPPED_SCENARIO_DIR, `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  > & {
    agentGroups: Array<{
      id: string;
      count: number;
      namePattern: string;
      behaviour: object;
      schedule?: { template: string };
    }>;
    timeline: Array<{ at: string; action: Record<string, unknown> }>;
  };

const demo = raw('demo');
const tuesday = raw('tuesday-0900-ready-push');
const friday = raw('friday-schedule-publish');
const group = (s: typeof demo, id: string) => s.agentGroups.find((g) => g.id === id);
const D = (n: number) => `f0000000-0000-4000-8000-00000000d00${n}`;
const E = (n: number) => `f0000000-0000-4000-8000-00000000e00${n}`;
const B = (n: number) => `b0000000-0000-4000-8000-00000000b00${n}`;

describe('demo scenario', () => {
  it('reuses both seed stories’ content', () => {
    for (const g of tuesday.agentGroups) expect(group(demo, g.id)).toEqual(g);
    for (const g of friday.agentGroups) {
      // Only the login lag and the stagger are shortened, so the story fits in two minutes.
      const { behaviour, schedule, ...rest } = g;
      const mine = group(demo, g.id)!;
      expect(mine).toMatchObject(rest);
      expect(mine.behaviour).toEqual({ ...behaviour, scheduleLagSec: { min: 0, max: 20 } });
      expect(mine.schedule).toEqual({ template: schedule!.template });
    }
    for (const key of ['businessUnits', 'managementUnits', 'scheduleTemplates', 'timeOffRequests']) {
      expect(demo[key]).toEqual(friday[key]);
    }
    expect(demo.queues).toEqual(
      expect.arrayContaining([...(tuesday.queues as []), ...(friday.queues as [])]),
    );
    const actions = (s: typeof demo) => s.timeline.map((e) => e.action);
    expect(actions(demo)).toEqual(expect.arrayContaining([...actions(tuesday), ...actions(friday)]));
    expect(loadScenario('demo').oauthClients[0]).toMatchObject({
      clientId: 'lockstep-demo',
      rateLimitPerMinute: 300,
    });
  });

  it('plays both stories and the background desyncs within two minutes', () => {
    const scenario = loadScenario('demo');
    const anchor = Date.parse('2024-03-08T11:59:30Z'); // 05:59:30 in Chicago
    const world = createWorld({ scenario, clock: 'virtual', anchorMs: anchor });
    const events: WorldEvent[] = [];
    world.onEvent((e) => events.push(e));
    const at = (sec: number): Map<string, AgentTruth> => {
      world.advance(anchor + sec * 1000 - world.now());
      return new Map(world.groundTruth().map((a) => [a.id, a]));
    };
    const byGroup = (name: string) => {
      const g = group(demo, name)!;
      return [...at(0).values()]
        .filter((a) => a.name.startsWith(g.namePattern.split('{')[0]!))
        .slice(0, g.count);
    };
    const steady = byGroup('steady').map((a) => a.id);
    const fighting = byGroup('fighting').map((a) => a.id);
    const dead = byGroup('dead-softphone').map((a) => a.id);
    expect([steady.length, fighting.length, dead.length]).toEqual([16, 6, 5]);

    // Story 1: the push at +12 s, on agents who are all on calls.
    const t11 = at(11);
    expect([...steady, ...fighting, ...dead].every((id) => t11.get(id)!.activeInteractions === 1)).toBe(true);
    const t14 = at(14);
    for (const id of [...steady, ...dead]) {
      expect(t14.get(id)).toMatchObject({
        presence: { systemPresence: 'On Queue' },
        lastChangedBy: { presence: 'external-wfm' },
      });
    }
    const t18 = at(18);
    for (const id of fighting) {
      expect(t18.get(id)).toMatchObject({
        presence: { systemPresence: 'Available' },
        lastChangedBy: { presence: 'agent-client' },
      });
    }

    // Story 2: logins from 06:00 (+30 s) within 20 s.
    const t60 = at(60);
    for (const id of [D(1), D(2), D(3)]) {
      expect(t60.get(id)).toMatchObject({
        presence: { systemPresence: 'On Queue' },
        routingStatus: { status: 'OFF_QUEUE' },
        station: { associated: false },
        adherenceState: 'OutOfAdherence',
      });
    }
    for (const id of [D(4), E(5), E(6)]) {
      expect(t60.get(id)!.presence.systemPresence).toBe('On Queue');
      expect(['IDLE', 'INTERACTING']).toContain(t60.get(id)!.routingStatus.status);
    }
    for (const id of [E(1), E(2), E(3), E(4)]) expect(t60.get(id)!.presence.systemPresence).toBe('Offline');

    // Background desyncs by +100 s, and the whole demo done by +120 s.
    const t110 = at(110);
    expect(t110.get(B(1))!.presence.systemPresence).toBe('Available');
    expect(t110.get(B(1))!.routingStatus.status).not.toBe('OFF_QUEUE');
    expect(t110.get(B(2))!.station).toMatchObject({ associated: true, healthy: false });
    expect(t110.get(B(4))).toMatchObject({
      presence: { systemPresence: 'On Queue' },
      routingStatus: { status: 'OFF_QUEUE' },
    });
    expect(t110.get(B(5))!.station?.associated).toBe(false);
    expect(t110.get(B(6))).toMatchObject({ outOfOffice: true, presence: { systemPresence: 'Offline' } });
    expect(t110.get(B(8))!.activeQueueIds).toEqual([]);
    const notResponding = new Set(
      events
        .filter((e) => e.topicName.endsWith('.routingStatus'))
        .filter(
          (e) =>
            (e.eventBody as { routingStatus: { status: string } }).routingStatus.status === 'NOT_RESPONDING',
        )
        .map((e) => e.topicName.split('.')[2]),
    );
    for (const id of dead) expect(notResponding).toContain(id);
    const last = Math.max(
      ...demo.timeline.filter((e) => e.at.startsWith('+')).map((e) => Number(e.at.slice(1))),
    );
    expect(last).toBeLessThanOrEqual(100);
  });
});
