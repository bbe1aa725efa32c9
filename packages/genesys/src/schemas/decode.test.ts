import { describe, expect, it } from 'vitest';
import { normalizeSystemPresence } from './common.js';
import { decodeNotification } from './decode.js';
import type { GenesysEvent } from './events.js';

const A = '9ed7d9f6-0c59-4360-ac54-40dd35eb9c2f';
const frame = (topicName: string, eventBody: unknown, correlationId = 'c-1') =>
  JSON.stringify({ topicName, version: '2', eventBody, metadata: { CorrelationId: correlationId } });

function ok(text: string): GenesysEvent {
  const r = decodeNotification(text);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.detail}`);
  return r.event;
}

describe('decodeNotification: user topics', () => {
  it('decodes the tutorial presence sample', () => {
    const e = ok(
      frame(`v2.users.${A}.presence`, {
        source: 'PURECLOUD',
        presenceDefinition: { id: '6a3af858-942f-489d-9700-5f9bcdcdae9b', systemPresence: 'AVAILABLE' },
        primary: true,
        message: '',
        extra: { ignored: true },
      }),
    );
    expect(e).toEqual({
      kind: 'presence',
      topicName: `v2.users.${A}.presence`,
      correlationId: 'c-1',
      agentId: A,
      systemPresence: 'AVAILABLE',
      definitionId: '6a3af858-942f-489d-9700-5f9bcdcdae9b',
      primary: true,
      source: 'PURECLOUD',
      message: '',
    });
  });

  it('normalises systemPresence from any casing and converts modifiedDate to epoch ms', () => {
    for (const sp of ['On Queue', 'ON_QUEUE', 'OnQueue', 'on queue']) {
      const e = ok(
        frame(`v2.users.${A}.presence`, {
          presenceDefinition: { id: 'e08eaf1b-ee47-4fa9-a231-1200e284798f', systemPresence: sp },
          modifiedDate: '2024-03-04T08:59:58.123Z',
        }),
      );
      expect(e).toMatchObject({
        systemPresence: 'ON_QUEUE',
        modifiedAt: Date.parse('2024-03-04T08:59:58.123Z'),
      });
    }
  });

  it('rejects an unknown system presence and a bad date as schema errors', () => {
    const r1 = decodeNotification(
      frame(`v2.users.${A}.presence`, { presenceDefinition: { id: 'x', systemPresence: 'Sleeping' } }),
    );
    expect(r1).toMatchObject({ ok: false, reason: 'schema', topic: `v2.users.${A}.presence` });
    const r2 = decodeNotification(
      frame(`v2.users.${A}.routingStatus`, { routingStatus: { status: 'IDLE', startTime: 'yesterday' } }),
    );
    expect(r2).toMatchObject({
      ok: false,
      reason: 'schema',
      detail: expect.stringContaining('routingStatus.startTime'),
    });
  });

  it('decodes routingStatus, matching the topic case-insensitively', () => {
    const e = ok(
      frame(`V2.Users.${A}.ROUTINGSTATUS`, {
        id: A,
        routingStatus: { status: 'NOT_RESPONDING', startTime: '2024-03-04T09:01:12.456Z' },
      }),
    );
    expect(e).toMatchObject({
      kind: 'routingStatus',
      agentId: A,
      status: 'NOT_RESPONDING',
      startedAt: Date.parse('2024-03-04T09:01:12.456Z'),
    });
    const bad = decodeNotification(
      frame(`v2.users.${A}.routingStatus`, { routingStatus: { status: 'BORED' } }),
    );
    expect(bad).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('decodes the activity capture', () => {
    const e = ok(
      frame(`v2.users.${A}.activity`, {
        id: A,
        routingStatus: { status: 'OFF_QUEUE', startTime: '2021-05-14T09:03:17.067Z' },
        presence: {
          presenceDefinition: { id: '6a3af858-942f-489d-9700-5f9bcdcdae9b', systemPresence: 'AVAILABLE' },
          modifiedDate: '2021-05-14T09:03:17.047Z',
        },
        outOfOffice: { active: false, modifiedDate: '2018-04-02T01:42:52.505Z' },
        activeQueueIds: ['q1', 'q2'],
        dateActiveQueuesChanged: '2021-03-25T04:15:44.913Z',
      }),
    );
    expect(e).toMatchObject({
      kind: 'activity',
      routingStatus: { status: 'OFF_QUEUE', startedAt: Date.parse('2021-05-14T09:03:17.067Z') },
      presence: { systemPresence: 'AVAILABLE', modifiedAt: Date.parse('2021-05-14T09:03:17.047Z') },
      outOfOffice: false,
      activeQueueIds: ['q1', 'q2'],
    });
  });

  it('decodes station with associatedStation present, null, empty or absent', () => {
    expect(
      ok(
        frame(`v2.users.${A}.station`, {
          associatedStation: { id: 'st-1', name: 'WebRTC - Jane Doe', associatedUser: { id: A } },
        }),
      ),
    ).toMatchObject({ kind: 'station', agentId: A, stationId: 'st-1', stationName: 'WebRTC - Jane Doe' });
    for (const body of [{}, { associatedStation: null }, { associatedStation: {} }]) {
      expect(ok(frame(`v2.users.${A}.station`, body))).toMatchObject({ kind: 'station', stationId: null });
    }
  });

  it('derives alerting / active / acw for the agent participant of a conversation', () => {
    const conv = (agentCalls: unknown[], extra: Record<string, unknown> = {}) =>
      ok(
        frame(`v2.users.${A}.conversations`, {
          id: 'conv-1',
          participants: [
            { id: 'p-cust', purpose: 'customer', calls: [{ id: 'c1', state: 'connected' }] },
            { id: 'p-agent', purpose: 'agent', userId: A, queueId: 'q1', calls: agentCalls, ...extra },
          ],
        }),
      );
    expect(conv([{ state: 'alerting' }])).toMatchObject({
      kind: 'conversation',
      conversationId: 'conv-1',
      queueId: 'q1',
      alerting: true,
      active: true,
      acw: false,
    });
    expect(conv([{ state: 'connected' }])).toMatchObject({ alerting: false, active: true, acw: false });
    expect(conv([{ state: 'disconnected' }], { wrapupRequired: true })).toMatchObject({
      active: false,
      acw: true,
    });
    expect(conv([{ state: 'disconnected' }], { wrapupRequired: true, wrapup: { code: 'x' } })).toMatchObject({
      active: false,
      acw: false,
    });
    expect(conv([{ state: 'terminated', afterCallWork: { state: 'pending' } }])).toMatchObject({ acw: true });
  });

  it('ignores other participants of a conversation', () => {
    const e = ok(
      frame(`v2.users.${A}.conversations`, {
        id: 'conv-2',
        participants: [{ purpose: 'agent', userId: 'someone-else', calls: [{ state: 'connected' }] }],
      }),
    );
    expect(e).toMatchObject({ active: false, alerting: false, acw: false });
  });

  it('sums conversationsummary over media', () => {
    const e = ok(
      frame(`v2.users.${A}.conversationsummary`, {
        userId: A,
        call: { contactCenter: { active: 1, acw: 0 }, enterprise: { active: 0, acw: 0 } },
        chat: { contactCenter: { active: 1, acw: 1 }, enterprise: { active: 2, acw: 0 } },
      }),
    );
    expect(e).toMatchObject({
      kind: 'conversationSummary',
      contactCenter: { active: 2, acw: 1 },
      enterprise: { active: 2, acw: 0 },
    });
  });

  it('decodes outofoffice', () => {
    const e = ok(
      frame(`v2.users.${A}.outofoffice`, {
        user: { id: A },
        active: true,
        indefinite: false,
        startDate: '2024-03-04T00:00:00.000Z',
        endDate: '2024-03-08T00:00:00.000Z',
      }),
    );
    expect(e).toMatchObject({
      kind: 'outOfOffice',
      active: true,
      startAt: Date.parse('2024-03-04T00:00:00.000Z'),
    });
    expect(decodeNotification(frame(`v2.users.${A}.outofoffice`, { user: { id: A } }))).toMatchObject({
      ok: false,
      reason: 'schema',
    });
  });
});

describe('decodeNotification: WFM topics', () => {
  const adherence = {
    user: { id: A },
    managementUnitId: 'mu-1',
    scheduledActivityCategory: 'OnQueueWork',
    scheduledActivityCode: { id: '0' },
    systemPresence: 'Break',
    routingStatus: 'OFF_QUEUE',
    actualActivityCategory: 'Break',
    isOutOfOffice: false,
    adherenceState: 'OutOfAdherence',
    impact: 'Negative',
    adherenceChangeTime: '2024-03-04T09:02:00.000Z',
    presenceUpdateTime: '2024-03-04T09:02:00.000Z',
  };

  it('decodes MU adherence with the agent from the body', () => {
    const e = ok(frame('v2.workforcemanagement.managementunits.mu-1.adherence', adherence));
    expect(e).toMatchObject({
      kind: 'adherence',
      via: 'managementUnit',
      agentId: A,
      managementUnitId: 'mu-1',
      adherenceState: 'OutOfAdherence',
      systemPresence: 'BREAK',
      scheduledActivityCodeId: '0',
      changedAt: Date.parse('2024-03-04T09:02:00.000Z'),
    });
  });

  it('decodes user adherence with the agent from the topic', () => {
    const { user: _user, ...body } = adherence;
    const e = ok(frame(`v2.users.${A}.workforcemanagement.adherence`, body));
    expect(e).toMatchObject({ kind: 'adherence', via: 'user', agentId: A });
    expect(
      decodeNotification(frame(`v2.users.${A}.workforcemanagement.adherence`, { adherenceState: 'Sort of' })),
    ).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('decodes user schedule updates and MU agentschedules.changed', () => {
    expect(
      ok(
        frame(`v2.users.${A}.workforcemanagement.schedules`, {
          user: { id: A },
          startDate: '2024-03-04T00:00:00.000Z',
          endDate: '2024-03-11T00:00:00.000Z',
          updates: [{ type: 'Edited', shiftStartDates: ['2024-03-05T08:00:00.000Z'] }],
        }),
      ),
    ).toMatchObject({
      kind: 'scheduleChanged',
      updates: [{ type: 'Edited', shiftStartAts: [Date.parse('2024-03-05T08:00:00.000Z')] }],
    });
    expect(
      ok(
        frame('v2.workforcemanagement.managementunits.mu-1.agentschedules.changed', {
          agents: [
            { agentId: A, startDate: '2024-03-04T00:00:00.000Z', endDate: '2024-03-05T00:00:00.000Z' },
          ],
        }),
      ),
    ).toMatchObject({
      kind: 'managementUnitSchedulesChanged',
      managementUnitId: 'mu-1',
      agents: [{ agentId: A }],
    });
  });

  it('decodes time-off requests', () => {
    const e = ok(
      frame(`v2.users.${A}.workforcemanagement.timeoffrequests`, {
        id: 'tor-1',
        user: { id: A },
        status: 'APPROVED',
        isFullDayRequest: true,
        activityCodeId: '5',
        paid: true,
        fullDayManagementUnitDates: ['2024-03-08'],
        dailyDurationMinutes: 480,
        notes: '',
      }),
    );
    expect(e).toMatchObject({
      kind: 'timeOffRequest',
      requestId: 'tor-1',
      status: 'APPROVED',
      fullDayDates: ['2024-03-08'],
    });
  });
});

describe('decodeNotification: channel and system topics', () => {
  it('decodes heartbeat and pong', () => {
    expect(
      ok(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } })),
    ).toEqual({
      kind: 'channelMetadata',
      topicName: 'channel.metadata',
      signal: 'heartbeat',
      message: 'WebSocket Heartbeat',
    });
    expect(
      ok(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } })),
    ).toMatchObject({
      signal: 'pong',
    });
  });

  it('decodes socket_closing with or without a body', () => {
    expect(
      ok(
        frame('v2.system.socket_closing', {
          message: 'WebSocket closing for maintenance',
          channelId: 'ch-1',
        }),
      ),
    ).toMatchObject({ kind: 'socketClosing', channelId: 'ch-1' });
    expect(ok(JSON.stringify({ topicName: 'v2.system.socket_closing' }))).toMatchObject({
      kind: 'socketClosing',
    });
  });

  it('decodes queue membership', () => {
    expect(
      ok(frame('v2.routing.queues.q-9.users', { id: 'x', user: { id: A }, queueId: 'q-9', joined: false })),
    ).toEqual({
      kind: 'queueMembership',
      topicName: 'v2.routing.queues.q-9.users',
      correlationId: 'c-1',
      queueId: 'q-9',
      agentId: A,
      joined: false,
    });
  });
});

describe('decodeNotification: failures', () => {
  it('reports malformed JSON', () => {
    expect(decodeNotification('{"topicName":')).toMatchObject({ ok: false, reason: 'malformed-json' });
    expect(decodeNotification('[1,2]')).toMatchObject({ ok: false, reason: 'malformed-json' });
  });

  it('reports unknown topics with the topic', () => {
    expect(decodeNotification(frame(`v2.users.${A}.geolocation`, {}))).toEqual({
      ok: false,
      reason: 'unknown-topic',
      topic: `v2.users.${A}.geolocation`,
      detail: `no decoder for topic v2.users.${A}.geolocation`,
    });
    expect(decodeNotification(frame('v2.users..presence', {}))).toMatchObject({ reason: 'unknown-topic' });
  });

  it('reports a missing topicName as a schema error', () => {
    expect(decodeNotification(JSON.stringify({ eventBody: {} }))).toMatchObject({
      ok: false,
      reason: 'schema',
    });
  });
});

describe('normalizeSystemPresence', () => {
  it('maps every spelling surface to UPPER_SNAKE', () => {
    expect(normalizeSystemPresence('Available')).toBe('AVAILABLE');
    expect(normalizeSystemPresence('OnQueue')).toBe('ON_QUEUE');
    expect(normalizeSystemPresence('on-queue')).toBe('ON_QUEUE');
    expect(normalizeSystemPresence('MEAL')).toBe('MEAL');
    expect(normalizeSystemPresence('Lunch')).toBeUndefined();
  });
});
