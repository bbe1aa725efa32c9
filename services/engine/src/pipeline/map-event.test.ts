import type { GenesysEvent, User, UserScheduleAdherence } from '@lockstep/genesys';
import { decodeNotification } from '@lockstep/genesys';
import { describe, expect, it } from 'vitest';
import { adherenceSignal, userSignals } from '../rest-mapping.js';
import { createEventMapper } from './map-event.js';

const A = 'agent-1';
const NOW = 1_700_000_100_000;
const T = 1_700_000_000_000;
const topicName = `v2.users.${A}.x`;

function map(event: GenesysEvent) {
  return createEventMapper().map(event, NOW);
}

describe('mapping notifications to signal updates', () => {
  it('presence keeps the platform timestamp and definition', () => {
    expect(
      map({
        kind: 'presence',
        topicName,
        agentId: A,
        systemPresence: 'ON_QUEUE',
        definitionId: 'd-1',
        modifiedAt: T,
      }),
    ).toEqual({
      kind: 'signals',
      agentId: A,
      updates: [
        { signal: 'presence', value: { system: 'ON_QUEUE', definitionId: 'd-1' }, at: T, source: 'event' },
      ],
    });
  });

  it('routing status uses startTime, falling back to the arrival time', () => {
    expect(map({ kind: 'routingStatus', topicName, agentId: A, status: 'IDLE', startedAt: T })).toMatchObject(
      {
        updates: [{ signal: 'routing', value: 'IDLE', at: T }],
      },
    );
    expect(map({ kind: 'routingStatus', topicName, agentId: A, status: 'IDLE' })).toMatchObject({
      updates: [{ signal: 'routing', at: NOW }],
    });
  });

  it('activity yields presence, routing and out of office', () => {
    const mapped = map({
      kind: 'activity',
      topicName,
      agentId: A,
      presence: { systemPresence: 'AWAY', definitionId: 'd-2', modifiedAt: T },
      routingStatus: { status: 'OFF_QUEUE', startedAt: T + 1 },
      outOfOffice: false,
    });
    expect(mapped).toMatchObject({
      kind: 'signals',
      updates: [
        { signal: 'presence', value: { system: 'AWAY' }, at: T },
        { signal: 'routing', value: 'OFF_QUEUE', at: T + 1 },
        { signal: 'outOfOffice', value: false, at: NOW },
      ],
    });
  });

  it('station, conversation summary and out of office are stamped with the arrival time, as observed', () => {
    expect(map({ kind: 'station', topicName, agentId: A, stationId: null })).toMatchObject({
      updates: [{ signal: 'station', value: { stationId: null }, at: NOW, observed: true }],
    });
    expect(
      map({
        kind: 'conversationSummary',
        topicName,
        agentId: A,
        contactCenter: { active: 1, acw: 0 },
        enterprise: { active: 3, acw: 1 },
      }),
    ).toMatchObject({
      // Enterprise (non-ACD) interactions count as much as contact-center ones.
      updates: [{ signal: 'interactions', value: { active: 4, acw: 1 }, at: NOW, observed: true }],
    });
    expect(map({ kind: 'outOfOffice', topicName, agentId: A, active: true })).toMatchObject({
      updates: [{ signal: 'outOfOffice', value: true, at: NOW, observed: true }],
    });
  });

  it('conversations are counted per agent across events', () => {
    const mapper = createEventMapper();
    const conv = (conversationId: string, state: 'active' | 'acw' | 'done'): GenesysEvent => ({
      kind: 'conversation',
      topicName,
      agentId: A,
      conversationId,
      active: state === 'active',
      alerting: false,
      acw: state === 'acw',
    });
    expect(mapper.map(conv('c1', 'active'), NOW)).toMatchObject({
      updates: [{ value: { active: 1, acw: 0 } }],
    });
    expect(mapper.map(conv('c2', 'active'), NOW)).toMatchObject({
      updates: [{ value: { active: 2, acw: 0 } }],
    });
    expect(mapper.map(conv('c1', 'acw'), NOW)).toMatchObject({ updates: [{ value: { active: 1, acw: 1 } }] });
    expect(mapper.map(conv('c1', 'done'), NOW)).toMatchObject({
      updates: [{ value: { active: 1, acw: 0 } }],
    });
    mapper.forget(A);
    expect(mapper.map(conv('c3', 'done'), NOW)).toMatchObject({
      updates: [{ value: { active: 0, acw: 0 } }],
    });
  });

  it('adherence becomes the schedule signal at its change time', () => {
    expect(
      map({
        kind: 'adherence',
        topicName,
        agentId: A,
        via: 'user',
        adherenceState: 'OutOfAdherence',
        scheduledActivityCategory: 'Break',
        scheduledActivityCodeId: '1',
        changedAt: T,
      }),
    ).toMatchObject({
      updates: [
        {
          signal: 'schedule',
          value: { category: 'Break', activityCodeId: '1', adherence: 'OutOfAdherence' },
          at: T,
        },
      ],
    });
    expect(
      map({
        kind: 'adherence',
        topicName,
        agentId: A,
        via: 'user',
        adherenceState: 'Unknown',
        scheduledActivityCategory: 'Weird',
      }),
    ).toMatchObject({ updates: [{ value: { category: 'Unscheduled', activityCodeId: null } }] });
  });

  it('schedule and time-off changes ask for a REST refresh; membership and transport events are routed apart', () => {
    expect(map({ kind: 'scheduleChanged', topicName, agentId: A, updates: [] })).toEqual({
      kind: 'refresh',
      what: 'schedule',
      agentIds: [A],
      origin: 'user',
    });
    expect(
      map({
        kind: 'managementUnitSchedulesChanged',
        topicName,
        managementUnitId: 'mu',
        agents: [{ agentId: 'x' }, { agentId: 'y' }],
      }),
    ).toEqual({ kind: 'refresh', what: 'schedule', agentIds: ['x', 'y'], origin: 'managementUnit' });
    expect(
      map({ kind: 'timeOffRequest', topicName, agentId: A, requestId: 'r', status: 'APPROVED' }),
    ).toEqual({ kind: 'refresh', what: 'timeOff', agentIds: [A] });
    expect(map({ kind: 'queueMembership', topicName, queueId: 'q', agentId: A, joined: true })).toEqual({
      kind: 'membership',
      queueId: 'q',
      agentId: A,
      joined: true,
    });
    expect(
      map({ kind: 'channelMetadata', topicName, signal: 'heartbeat', message: 'WebSocket Heartbeat' }),
    ).toEqual({
      kind: 'ignore',
    });
    expect(map({ kind: 'socketClosing', topicName })).toEqual({ kind: 'ignore' });
  });

  it('maps a decoded wire frame end to end', () => {
    const decoded = decodeNotification(
      JSON.stringify({
        topicName: `v2.users.${A}.presence`,
        version: '2',
        eventBody: {
          source: 'PURECLOUD',
          presenceDefinition: { id: 'd-9', systemPresence: 'On Queue' },
          primary: true,
          message: '',
          modifiedDate: new Date(T).toISOString(),
        },
        metadata: { CorrelationId: 'c-1' },
      }),
    );
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(map(decoded.event)).toMatchObject({
      updates: [{ signal: 'presence', value: { system: 'ON_QUEUE', definitionId: 'd-9' }, at: T }],
    });
  });
});

describe('mapping REST reads to resync updates', () => {
  it('states every expanded signal of a user with platform timestamps where there are some', () => {
    const user = {
      id: A,
      presence: {
        presenceDefinition: { id: 'd-1', systemPresence: 'On Queue' },
        modifiedDate: new Date(T).toISOString(),
      },
      routingStatus: { status: 'INTERACTING', startTime: new Date(T + 5).toISOString() },
      station: { associatedStation: { id: 'st-1' } },
      conversationSummary: {
        call: { contactCenter: { active: 1, acw: 0 }, enterprise: { active: 0, acw: 0 } },
        chat: { contactCenter: { active: 0, acw: 1 }, enterprise: { active: 2, acw: 0 } },
      },
      outOfOffice: { active: false },
    } as unknown as User;
    expect(userSignals(user, NOW)).toEqual([
      { signal: 'presence', value: { system: 'ON_QUEUE', definitionId: 'd-1' }, at: T, source: 'resync' },
      { signal: 'routing', value: 'INTERACTING', at: T + 5, source: 'resync' },
      { signal: 'station', value: { stationId: 'st-1' }, at: NOW, observed: true, source: 'resync' },
      // Every media, contact-center and enterprise (non-ACD) alike.
      { signal: 'interactions', value: { active: 3, acw: 1 }, at: NOW, observed: true, source: 'resync' },
      { signal: 'outOfOffice', value: false, at: NOW, observed: true, source: 'resync' },
    ]);
  });

  it('leaves out what the platform did not return and treats an empty station as none', () => {
    const user = { id: A, station: {}, presence: { presenceDefinition: { systemPresence: 'Nonsense' } } };
    expect(userSignals(user as unknown as User, NOW)).toEqual([
      { signal: 'station', value: { stationId: null }, at: NOW, observed: true, source: 'resync' },
    ]);
  });

  it('maps a REST adherence record to the schedule signal', () => {
    const record = {
      user: { id: A },
      adherenceState: 'InAdherence',
      scheduledActivityCategory: 'OnQueueWork',
      scheduledActivityCode: { id: '0' },
      timeOfAdherenceChange: new Date(T).toISOString(),
    } as unknown as UserScheduleAdherence;
    expect(adherenceSignal(record, NOW)).toEqual({
      signal: 'schedule',
      value: { category: 'OnQueueWork', activityCodeId: '0', adherence: 'InAdherence' },
      at: T,
      source: 'resync',
    });
  });
});
