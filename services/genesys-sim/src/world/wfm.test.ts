import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/index.js';
import { createWorld } from './create-world.js';
import type { WorldEvent } from './contract.js';
import { FIX, recordedWorld, testScenario, topicEvents } from './test-fixtures.js';

const A1 = FIX.agent(1);
const A2 = FIX.agent(2);

function world(scenario: Scenario, anchorIso: string) {
  const w = createWorld({ scenario, clock: 'virtual', anchorMs: Date.parse(anchorIso) });
  const events: WorldEvent[] = [];
  w.onEvent((e) => events.push(e));
  return { w, events };
}

type SearchResult = {
  status: string;
  result: {
    businessUnitTimeZone: string;
    agentSchedules: Array<{
      user: { id: string };
      shifts: Array<{
        id: string;
        startDate: string;
        lengthMinutes: number;
        activities: Array<{ startDate: string; activityCodeId: string }>;
      }>;
    }>;
  };
};

const adherenceStates = (events: readonly WorldEvent[], id: string): string[] =>
  topicEvents(events, id, '.workforcemanagement.adherence').map(
    (e) => (e.eventBody as { adherenceState: string }).adherenceState,
  );

describe('schedules across DST (America/Chicago)', () => {
  it('spring-forward: a shift keeps its local wall times and adherence follows the real instants', () => {
    const s = testScenario(
      {
        start: { local: '2024-03-10T00:30', zone: 'America/Chicago' },
        schedules: [
          {
            agentId: A1,
            shifts: [
              {
                id: 'night',
                activities: [
                  { start: '2024-03-10T01:00', lengthMinutes: 60, activityCodeId: '0' },
                  { start: '2024-03-10T03:00', lengthMinutes: 15, activityCodeId: '1' },
                ],
              },
            ],
          },
        ],
      },
      1,
    );
    const { w, events } = world(s, '2024-03-10T06:30:00Z');
    const search = w.searchAgentSchedules(FIX.mu, {
      startDate: '2024-03-10T00:00:00Z',
      endDate: '2024-03-11T00:00:00Z',
    }) as unknown as SearchResult;
    expect(search.status).toBe('Complete');
    expect(search.result.businessUnitTimeZone).toBe('America/Chicago');
    const shift = search.result.agentSchedules[0]?.shifts[0];
    // 01:00 CST = 07:00Z; 03:00 CDT = 08:00Z: one real hour apart although two wall hours apart.
    expect(shift?.activities.map((a) => a.startDate)).toEqual([
      '2024-03-10T07:00:00.000Z',
      '2024-03-10T08:00:00.000Z',
    ]);
    expect(shift).toMatchObject({ id: 'night', startDate: '2024-03-10T07:00:00.000Z', lengthMinutes: 75 });

    expect(w.groundTruth()[0]?.adherenceState).toBe('Unscheduled');
    w.advance(30 * 60_000); // 01:00 CST
    expect(w.groundTruth()[0]).toMatchObject({
      scheduledActivity: { category: 'OnQueueWork', activityCodeId: '0' },
      adherenceState: 'InAdherence',
    });
    w.advance(60 * 60_000); // 03:00 CDT: break starts, the agent stays On Queue
    expect(w.groundTruth()[0]).toMatchObject({
      scheduledActivity: { category: 'Break' },
      adherenceState: 'OutOfAdherence',
    });
    w.act({ type: 'set-presence', agentId: A1, presence: 'Break' });
    expect(adherenceStates(events, A1)).toEqual(['InAdherence', 'OutOfAdherence', 'InAdherence']);
    const ev = topicEvents(events, A1, '.workforcemanagement.adherence')[1]?.eventBody;
    expect(ev).toMatchObject({
      user: { id: A1 },
      managementUnitId: FIX.mu,
      businessUnitId: FIX.bu,
      scheduledActivityCategory: 'Break',
      scheduledActivityCode: { id: '1' },
      actualActivityCategory: 'OnQueueWork',
      systemPresence: 'OnQueue',
      routingStatus: 'IDLE',
      impact: 'Negative',
      adherenceChangeTime: '2024-03-10T08:00:00.000Z',
    });
    const muEvents = events.filter(
      (e) => e.topicName === `v2.workforcemanagement.managementunits.${FIX.mu}.adherence`,
    );
    expect(muEvents.map((e) => e.eventBody)).toEqual(
      topicEvents(events, A1, '.workforcemanagement.adherence').map((e) => e.eventBody),
    );
  });

  it('fall-back: wall times after the change are honoured and the repeated hour is a gap', () => {
    const s = testScenario(
      {
        start: { local: '2024-11-03T00:00', zone: 'America/Chicago' },
        schedules: [
          {
            agentId: A1,
            shifts: [
              {
                activities: [
                  { start: '2024-11-03T00:00', lengthMinutes: 120, activityCodeId: '0' },
                  { start: '2024-11-03T02:00', lengthMinutes: 30, activityCodeId: '3' },
                ],
              },
            ],
          },
        ],
      },
      1,
    );
    const { w } = world(s, '2024-11-03T05:00:00Z');
    const search = w.searchAgentSchedules(FIX.mu, {
      startDate: '2024-11-03T00:00:00Z',
      endDate: '2024-11-04T00:00:00Z',
    }) as unknown as SearchResult;
    // 00:00 CDT = 05:00Z; 02:00 CST = 08:00Z; 120 minutes after 05:00Z is 07:00Z (01:00 CST).
    expect(search.result.agentSchedules[0]?.shifts[0]?.activities.map((a) => a.startDate)).toEqual([
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T08:00:00.000Z',
    ]);
    w.advance(150 * 60_000); // 07:30Z = 01:30 CST, inside the gap
    expect(w.groundTruth()[0]?.adherenceState).toBe('Unscheduled');
    w.advance(30 * 60_000); // 08:00Z = 02:00 CST
    expect(w.groundTruth()[0]?.scheduledActivity?.category).toBe('Meeting');
  });

  it('templates place the same wall time on both sides of the change', () => {
    const s = testScenario(
      {
        start: { local: '2024-03-09T07:00', zone: 'America/Chicago' },
        scheduleTemplates: {
          t: {
            shifts: [
              {
                dates: ['2024-03-09', '2024-03-11'],
                activities: [{ start: '08:00', lengthMinutes: 60, activityCodeId: '0' }],
              },
            ],
          },
        },
        agents: [
          { id: A1, name: 'A', managementUnitId: FIX.mu, schedule: { template: 't', staggerMinutes: [30] } },
        ],
      },
      1,
    );
    const { w } = world(s, '2024-03-09T13:00:00Z');
    const search = w.searchAgentSchedules(FIX.mu, {
      startDate: '2024-03-09T00:00:00Z',
      endDate: '2024-03-12T00:00:00Z',
    }) as unknown as SearchResult;
    expect(search.result.agentSchedules[0]?.shifts.map((x) => x.startDate)).toEqual([
      '2024-03-09T14:30:00.000Z',
      '2024-03-11T13:30:00.000Z',
    ]);
  });
});

describe('WFM changes and reads', () => {
  const scheduled = (): Scenario =>
    testScenario({
      scheduleTemplates: {
        day: {
          shifts: [
            {
              dates: ['2024-03-05'],
              activities: [{ start: '09:00', lengthMinutes: 480, activityCodeId: '0' }],
            },
            {
              dates: ['2024-03-06'],
              activities: [{ start: '07:00', lengthMinutes: 480, activityCodeId: '0' }],
            },
          ],
        },
      },
      agents: [1, 2].map((n) => ({
        id: FIX.agent(n),
        name: `A${n}`,
        queues: [FIX.queue],
        managementUnitId: FIX.mu,
        presence: 'On Queue',
        schedule: { template: 'day', staggerMinutes: [n === 1 ? 0 : 60] },
      })),
    });

  it('schedule search returns only overlapping shifts of the requested users', () => {
    const { world: w } = recordedWorld(scheduled());
    const res = w.searchAgentSchedules(FIX.mu, {
      startDate: '2024-03-06T00:00:00Z',
      endDate: '2024-03-07T00:00:00Z',
      userIds: [A2],
    }) as unknown as SearchResult;
    expect(res.result.agentSchedules).toHaveLength(1);
    expect(res.result.agentSchedules[0]?.user.id).toBe(A2);
    expect(res.result.agentSchedules[0]?.shifts.map((x) => x.startDate)).toEqual([
      '2024-03-06T14:00:00.000Z',
    ]);
    expect(() =>
      w.searchAgentSchedules(FIX.mu, { startDate: 'yesterday', endDate: '2024-03-07T00:00:00Z' }),
    ).toThrow(/Invalid date/);
    expect(() =>
      w.searchAgentSchedules('nope', { startDate: '2024-03-06T00:00:00Z', endDate: '2024-03-07T00:00:00Z' }),
    ).toThrow(/not found/);
  });

  it('swaps, edits and publishes emit schedule events and move the shifts', () => {
    const { world: w, events } = recordedWorld(scheduled());
    w.act({ type: 'swap-shifts', agentIdA: A1, agentIdB: A2, date: '2024-03-05' });
    expect(topicEvents(events, A1, '.workforcemanagement.schedules')[0]?.eventBody).toMatchObject({
      user: { id: A1 },
      updates: [{ type: 'Edited', shiftStartDates: ['2024-03-05T16:00:00.000Z'] }],
    });
    const truthA1 = w.groundTruth()[0];
    // A1 now has A2's 10:00 shift: unscheduled at 09:00.
    expect(truthA1?.scheduledActivity).toBeNull();
    expect(
      events.some(
        (e) => e.topicName === `v2.workforcemanagement.managementunits.${FIX.mu}.agentschedules.changed`,
      ),
    ).toBe(true);

    const res = w.searchAgentSchedules(FIX.mu, {
      startDate: '2024-03-05T00:00:00Z',
      endDate: '2024-03-06T00:00:00Z',
      userIds: [A1],
    }) as unknown as SearchResult;
    const shiftId = res.result.agentSchedules[0]!.shifts[0]!.id;
    w.act({
      type: 'edit-shift',
      agentId: A1,
      shiftId,
      activities: [{ start: '2024-03-05T09:00', lengthMinutes: 60, activityCodeId: '4' }],
    });
    expect(w.groundTruth()[0]).toMatchObject({
      scheduledActivity: { category: 'Training' },
      adherenceState: 'OutOfAdherence',
    });

    const before = events.length;
    w.act({ type: 'publish-schedule', muId: FIX.mu, weekStart: '2024-03-04' });
    const published = events.slice(before);
    expect(published.filter((e) => e.topicName.endsWith('.workforcemanagement.schedules'))).toHaveLength(2);
    expect(published.at(-1)?.eventBody).toMatchObject({
      agents: [{ agentId: A1 }, { agentId: A2 }],
      visibilityRange: expect.any(Object),
    });
  });

  it('time-off requests are created, updated and listed, and approved time off is scheduled', () => {
    const { world: w, events } = recordedWorld(scheduled());
    w.act({
      type: 'request-time-off',
      agentId: A1,
      status: 'PENDING',
      fullDayDates: ['2024-03-05'],
      requestId: 'tor-1',
    });
    expect(w.groundTruth()[0]?.pendingTimeOffRequests).toBe(1);
    w.act({ type: 'request-time-off', agentId: A1, status: 'APPROVED', requestId: 'tor-1' });
    const bodies = topicEvents(events, A1, '.workforcemanagement.timeoffrequests').map((e) => e.eventBody);
    expect(bodies).toEqual([
      expect.objectContaining({
        id: 'tor-1',
        status: 'PENDING',
        isFullDayRequest: true,
        fullDayManagementUnitDates: ['2024-03-05'],
      }),
      expect.objectContaining({ id: 'tor-1', status: 'APPROVED' }),
    ]);
    expect(w.getTimeOffRequests(FIX.mu, A1)).toMatchObject({
      timeOffRequests: [{ id: 'tor-1', status: 'APPROVED' }],
    });
    // A scheduled shift still wins over the full-day marker here; the marker shows in the search.
    const res = w.searchAgentSchedules(FIX.mu, {
      startDate: '2024-03-05T00:00:00Z',
      endDate: '2024-03-06T00:00:00Z',
      userIds: [A1],
    }) as unknown as {
      result: { agentSchedules: Array<{ fullDayTimeOffMarkers: unknown[] }> };
    };
    expect(res.result.agentSchedules[0]?.fullDayTimeOffMarkers).toEqual([
      expect.objectContaining({ businessUnitDate: '2024-03-05', timeOffRequestId: 'tor-1' }),
    ]);
  });

  it('serves MU, activity codes and adherence reads', () => {
    const { world: w } = recordedWorld(scheduled());
    expect(w.getAgentManagementUnit(A1)).toMatchObject({
      managementUnit: { id: FIX.mu },
      businessUnit: { id: FIX.bu },
    });
    expect(w.listManagementUnits()).toMatchObject({ entities: [{ id: FIX.mu }] });
    expect(w.getBusinessUnit(FIX.bu, true)).toMatchObject({
      id: FIX.bu,
      settings: { timeZone: 'America/Chicago' },
    });
    expect(w.getBusinessUnit(FIX.bu, false)).not.toHaveProperty('settings');
    expect(w.getManagementUnitUsers(FIX.mu)).toMatchObject({ entities: [{ id: A1 }, { id: A2 }] });
    const codes = (w.getActivityCodes(FIX.bu) as { entities: Array<{ id: string; category: string }> })
      .entities;
    expect(codes.map((c) => `${c.id}:${c.category}`)).toEqual([
      '0:OnQueueWork',
      '1:Break',
      '2:Meal',
      '3:Meeting',
      '4:Training',
      '5:TimeOff',
      '6:OffQueueWork',
      '7:Unavailable',
    ]);
    expect(w.getAdherence([A1, A2])).toEqual([
      expect.objectContaining({
        id: A1,
        adherenceState: 'InAdherence',
        managementUnit: expect.objectContaining({ id: FIX.mu }),
      }),
      expect.objectContaining({ id: A2, adherenceState: 'Unscheduled' }),
    ]);
    expect(w.getManagementUnitAdherence(FIX.mu)).toMatchObject({ entities: [{ id: A1 }, { id: A2 }] });
  });
});
