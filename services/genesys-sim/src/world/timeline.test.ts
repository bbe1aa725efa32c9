import { describe, expect, it } from 'vitest';
import type { TransportFault } from './contract.js';
import { FIX, recordedWorld, routingSequence, testScenario, topicEvents } from './test-fixtures.js';

const A1 = FIX.agent(1);
const A2 = FIX.agent(2);

describe('timeline', () => {
  it('runs actions at relative times and scenario-local wall times', () => {
    const s = testScenario({
      timeline: [
        { at: '+5', action: { type: 'set-presence', agentId: A1, presence: 'Break', by: 'supervisor' } },
        { at: '09:00:10', action: { type: 'set-out-of-office', agentId: A2, active: true } },
        // 16:00 in New York is 15:00 in Chicago: six hours after the start.
        {
          at: '2024-03-05T16:00',
          zone: 'America/New_York',
          action: { type: 'set-presence', agentId: A2, presence: 'Meal' },
        },
      ],
    });
    const { world, events } = recordedWorld(s);
    world.advance(4_999);
    expect(topicEvents(events, A1, '.presence')).toHaveLength(0);
    world.advance(1);
    expect(topicEvents(events, A1, '.presence')).toHaveLength(1);
    world.advance(5_000);
    expect(topicEvents(events, A2, '.outofoffice')[0]?.eventBody).toEqual({
      user: { id: A2 },
      active: true,
      indefinite: true,
    });
    expect(world.groundTruth()[1]?.outOfOffice).toBe(true);
    world.advance(6 * 3_600_000 - 10_001);
    expect(topicEvents(events, A2, '.presence')).toHaveLength(0);
    world.advance(1);
    expect(world.groundTruth()[1]?.presence.systemPresence).toBe('Meal');
  });

  it('hands fault actions to the transport', () => {
    const fault: TransportFault = { kind: 'events', mode: 'drop', topic: '.presence', durationMs: 1000 };
    const { world } = recordedWorld(
      testScenario({ timeline: [{ at: '+1', action: { type: 'fault', fault } }] }),
    );
    const seen: TransportFault[] = [];
    const off = world.onTransportFault((f) => seen.push(f));
    world.advance(1_000);
    expect(seen).toEqual([fault]);
    off();
    world.act({ type: 'fault', fault: { kind: 'socket-kill' } });
    expect(seen).toHaveLength(1);
  });

  it('expands forAgents over a group range and spreads the actions', () => {
    const s = testScenario({
      agents: [],
      agentGroups: [{ id: 'g', count: 5, idPattern: 'g-{n}', queues: [FIX.queue], presence: 'Available' }],
      timeline: [
        {
          at: '+1',
          action: { type: 'set-presence', agentId: '*', presence: 'On Queue', by: 'external-wfm' },
          forAgents: { group: 'g', from: 2, to: 4, spreadMs: 1000 },
        },
      ],
    });
    const { world, events } = recordedWorld(s);
    world.advance(2_000);
    const changed = events.filter((e) => e.topicName.endsWith('.presence')).map((e) => e.agentId);
    expect([...changed].sort()).toEqual(['g-2', 'g-3', 'g-4']);
    expect(
      world
        .groundTruth()
        .filter((a) => a.routingStatus.status === 'IDLE')
        .map((a) => a.id),
    ).toEqual(['g-2', 'g-3', 'g-4']);
  });

  it('revert-presence: the agent client reverts presence pushed by others', () => {
    const s = testScenario({
      timeline: [
        { at: '+0', action: { type: 'revert-presence', agentId: A1, enabled: true, revertAfterMs: 2000 } },
        {
          at: '+1',
          action: { type: 'set-presence', agentId: A1, presence: 'Available', by: 'external-wfm' },
        },
      ],
    });
    const { world, events } = recordedWorld(s);
    world.advance(2_999);
    expect(world.groundTruth()[0]?.presence.systemPresence).toBe('Available');
    world.advance(1);
    expect(world.groundTruth()[0]).toMatchObject({
      presence: { systemPresence: 'On Queue' },
      routingStatus: { status: 'IDLE' },
    });
    expect(routingSequence(events, A1)).toEqual(['OFF_QUEUE', 'IDLE']);
    // The agent's own change is not reverted.
    world.advance(10_000);
    expect(topicEvents(events, A1, '.presence')).toHaveLength(2);
  });

  it('firehose actions start and stop the generator', () => {
    const { world, events } = recordedWorld(
      testScenario({
        timeline: [
          { at: '+1', action: { type: 'firehose', eventsPerSecond: 300 } },
          { at: '+2', action: { type: 'firehose', eventsPerSecond: 0 } },
        ],
      }),
    );
    world.advance(10_000);
    expect(events.length).toBeGreaterThan(280);
    expect(events.length).toBeLessThan(320);
  });
});

describe('agent behaviour', () => {
  it('agents following their schedule log in at shift start, take breaks and log out', () => {
    const s = testScenario({
      scheduleTemplates: {
        t: {
          shifts: [
            {
              dates: ['2024-03-05'],
              activities: [
                { start: '09:01', lengthMinutes: 10, activityCodeId: '0' },
                { start: '09:11', lengthMinutes: 5, activityCodeId: '1' },
              ],
            },
          ],
        },
      },
      agents: [
        {
          id: A1,
          name: 'A',
          queues: [FIX.queue],
          managementUnitId: FIX.mu,
          presence: 'Offline',
          schedule: { template: 't' },
          behaviour: { followsSchedule: true, scheduleLagSec: { min: 2, max: 2 } },
        },
      ],
    });
    const { world, events } = recordedWorld(s);
    world.advance(17 * 60_000);
    const presences = topicEvents(events, A1, '.presence').map(
      (e) =>
        (e.eventBody as { presenceDefinition: { systemPresence: string } }).presenceDefinition.systemPresence,
    );
    expect(presences).toEqual(['ON_QUEUE', 'BREAK', 'OFFLINE']);
    expect(topicEvents(events, A1, '.presence')[0]?.eventBody).toMatchObject({
      modifiedDate: '2024-03-05T15:01:02.000Z',
    });
  });

  it('loginStationFailure takes the station of recently rescheduled agents with pending time off at login', () => {
    const s = testScenario({
      platform: {
        onQueueWithoutStation: 'off-queue',
        loginStationFailure: {
          scheduleChangedWithinHours: 24,
          requirePendingTimeOff: true,
          effect: 'disassociate',
        },
      },
      agents: [1, 2, 3].map((n) => ({
        id: FIX.agent(n),
        name: `A${n}`,
        queues: [FIX.queue],
        managementUnitId: FIX.mu,
        presence: 'Offline',
        scheduleChangedHoursAgo: n === 3 ? 30 : 2,
      })),
      timeOffRequests: [1, 3].map((n) => ({
        agentId: FIX.agent(n),
        status: 'PENDING',
        fullDayDates: ['2024-03-20'],
      })),
    });
    const { world, events } = recordedWorld(s);
    for (const n of [1, 2, 3])
      world.act({ type: 'set-presence', agentId: FIX.agent(n), presence: 'On Queue' });
    const t = world.groundTruth();
    expect(t.map((a) => a.station?.associated)).toEqual([false, true, true]);
    expect(t.map((a) => a.routingStatus.status)).toEqual(['OFF_QUEUE', 'IDLE', 'IDLE']);
    expect(routingSequence(events, A1)).toEqual(['IDLE', 'OFF_QUEUE']);
    expect(topicEvents(events, A1, '.station')[0]?.eventBody).toEqual({});
  });
});
