import { describe, expect, it } from 'vitest';
import { SimApiError } from './contract.js';
import { SYSTEM_PRESENCE_IDS } from './presence-definitions.js';
import { FIX, recordedWorld, routingSequence, testScenario, topicEvents } from './test-fixtures.js';

const A1 = FIX.agent(1);
const ON_QUEUE = SYSTEM_PRESENCE_IDS['On Queue'];
const AVAILABLE = SYSTEM_PRESENCE_IDS.Available;

function truth(world: ReturnType<typeof recordedWorld>['world'], id = A1) {
  const t = world.groundTruth().find((a) => a.id === id);
  if (!t) throw new Error(`no agent ${id}`);
  return t;
}

function apiError(fn: () => unknown): SimApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimApiError) return err;
    throw err;
  }
  throw new Error('expected a SimApiError');
}

describe('presence and routing coupling', () => {
  it('starts On Queue agents with joined queues IDLE', () => {
    const { world } = recordedWorld(testScenario());
    expect(truth(world).routingStatus.status).toBe('IDLE');
    expect(world.getRoutingStatus(A1)).toMatchObject({ userId: A1, status: 'IDLE' });
  });

  it('leaving On Queue goes OFF_QUEUE and emits presence (upper-snake), routing and activity in order', () => {
    const { world, events } = recordedWorld(testScenario());
    const out = world.patchPresence(A1, { presenceDefinition: { id: AVAILABLE } }, 'client-x');
    expect(out).toMatchObject({ presenceDefinition: { id: AVAILABLE, systemPresence: 'Available' } });
    const mine = events.filter((e) => e.agentId === A1).map((e) => e.topicName.split('.').pop());
    // The agent is in an MU without a schedule: the actual category changed, so adherence (user + MU) follows.
    expect(mine).toEqual(['presence', 'routingStatus', 'activity', 'adherence', 'adherence']);
    expect(topicEvents(events, A1, '.presence')[0]?.eventBody).toMatchObject({
      source: 'PURECLOUD',
      presenceDefinition: { id: AVAILABLE, systemPresence: 'AVAILABLE' },
      primary: true,
    });
    expect(topicEvents(events, A1, '.activity')[0]?.eventBody).toMatchObject({
      id: A1,
      routingStatus: { status: 'OFF_QUEUE' },
      presence: { presenceDefinition: { systemPresence: 'AVAILABLE' } },
      activeQueueIds: [FIX.queue],
    });
    world.patchPresence(A1, { presenceDefinition: { id: ON_QUEUE } }, 'client-x');
    expect(routingSequence(events, A1)).toEqual(['OFF_QUEUE', 'IDLE']);
    expect(topicEvents(events, A1, '.presence')[1]?.eventBody).toMatchObject({
      presenceDefinition: { id: ON_QUEUE, systemPresence: 'ON_QUEUE' },
    });
  });

  it('On Queue without joined queues stays OFF_QUEUE', () => {
    const s = testScenario();
    const { world } = recordedWorld({
      ...s,
      agents: s.agents.map((a) => ({ ...a, joined: false, presence: 'Available' as const })),
    });
    world.patchPresence(A1, { presenceDefinition: { id: ON_QUEUE } }, 'x');
    expect(truth(world).routingStatus.status).toBe('OFF_QUEUE');
    world.act({ type: 'join-queue', agentId: A1, queueId: FIX.queue });
    expect(truth(world).routingStatus.status).toBe('IDLE');
  });

  it('follows onQueueWithoutStation for agents without an associated station', () => {
    for (const [option, expected] of [
      ['idle', 'IDLE'],
      ['off-queue', 'OFF_QUEUE'],
    ] as const) {
      const { world, events } = recordedWorld(testScenario({ platform: { onQueueWithoutStation: option } }));
      world.deleteStationAssociation(A1, 'x');
      expect(truth(world).station).toMatchObject({ associated: false });
      expect(topicEvents(events, A1, '.station')[0]?.eventBody).toEqual({});
      expect(truth(world).routingStatus.status).toBe(expected);
      world.act({ type: 'associate-station', agentId: A1 });
      expect(truth(world).routingStatus.status).toBe('IDLE');
      expect(topicEvents(events, A1, '.station')[1]?.eventBody).toMatchObject({
        associatedStation: { associatedUser: { id: A1 } },
      });
    }
  });

  it('keeps a call going when the agent leaves On Queue and goes OFF_QUEUE after wrap-up', () => {
    const { world, events } = recordedWorld(testScenario());
    world.act({ type: 'offer-call', queueId: FIX.queue, agentId: A1 });
    world.advance(2_000);
    expect(truth(world).activeInteractions).toBe(1);
    world.patchPresence(A1, { presenceDefinition: { id: AVAILABLE } }, 'x');
    expect(truth(world).routingStatus.status).toBe('INTERACTING');
    world.act({ type: 'end-call', agentId: A1 });
    world.advance(10_000);
    expect(truth(world)).toMatchObject({ activeInteractions: 0, routingStatus: { status: 'OFF_QUEUE' } });
    expect(routingSequence(events, A1)).toEqual(['INTERACTING', 'OFF_QUEUE']);
  });

  it('presence-routing-decouple: presence changes never reach routing', () => {
    const { world } = recordedWorld(testScenario());
    world.act({ type: 'presence-routing-decouple', agentId: A1, enabled: true });
    world.patchPresence(A1, { presenceDefinition: { id: AVAILABLE } }, 'x');
    expect(truth(world)).toMatchObject({
      presence: { systemPresence: 'Available' },
      routingStatus: { status: 'IDLE' },
    });
    world.act({ type: 'presence-routing-decouple', agentId: A1, enabled: false });
    world.patchPresence(A1, { presenceDefinition: { id: SYSTEM_PRESENCE_IDS.Busy } }, 'x');
    expect(truth(world).routingStatus.status).toBe('OFF_QUEUE');
  });
});

describe('REST writes', () => {
  it('rejects unknown users, unknown definitions and empty patches', () => {
    const { world, events } = recordedWorld(testScenario());
    expect(
      apiError(() => world.patchPresence('nobody', { presenceDefinition: { id: ON_QUEUE } }, 'x')),
    ).toMatchObject({
      status: 404,
      code: 'not.found',
    });
    expect(
      apiError(() => world.patchPresence(A1, { presenceDefinition: { id: 'bogus' } }, 'x')),
    ).toMatchObject({
      status: 400,
      code: 'invalid.value',
    });
    expect(apiError(() => world.patchPresence(A1, {}, 'x')).status).toBe(400);
    expect(events).toHaveLength(0);
  });

  it('bulk presence validates every item before changing anything', () => {
    const { world, events } = recordedWorld(testScenario());
    const err = apiError(() =>
      world.putPresencesBulk(
        [{ id: A1, presenceDefinition: { id: AVAILABLE } }, { presenceDefinition: { id: AVAILABLE } }],
        'x',
      ),
    );
    expect(err).toMatchObject({ status: 400, code: 'bad.request' });
    expect(events).toHaveLength(0);
    const out = world.putPresencesBulk(
      [
        { id: A1, presenceDefinition: { id: AVAILABLE }, source: 'PURECLOUD' },
        { id: FIX.agent(2), presenceDefinition: { id: AVAILABLE } },
      ],
      'x',
    );
    expect(out).toHaveLength(2);
    expect(world.groundTruth().filter((a) => a.presence.systemPresence === 'Available')).toHaveLength(2);
  });

  it('routing PUT accepts the configured values and clears NOT_RESPONDING with IDLE', () => {
    const { world } = recordedWorld(testScenario());
    expect(apiError(() => world.putRoutingStatus(A1, { status: 'INTERACTING' }, 'x'))).toMatchObject({
      status: 400,
      code: 'invalid.value',
    });
    expect(apiError(() => world.putRoutingStatus(A1, {}, 'x')).code).toBe('invalid.value');
    expect(apiError(() => world.putRoutingStatus('nobody', { status: 'IDLE' }, 'x')).status).toBe(404);
    world.act({ type: 'set-routing-status', agentId: A1, status: 'NOT_RESPONDING' });
    expect(world.putRoutingStatus(A1, { status: 'IDLE' }, 'engine')).toMatchObject({
      userId: A1,
      status: 'IDLE',
    });
    expect(world.putRoutingStatus(A1, { status: 'OFF_QUEUE' }, 'engine')).toMatchObject({
      status: 'OFF_QUEUE',
    });
    expect(truth(world).lastChangedBy).toEqual({ presence: 'scenario', routingStatus: 'engine' });
    // [assumption] the presence stays as it was.
    expect(truth(world).presence.systemPresence).toBe('On Queue');
  });

  it('routingPutRequiresOnQueue refuses IDLE for agents not On Queue', () => {
    const { world } = recordedWorld(testScenario({ platform: { routingPutRequiresOnQueue: true } }));
    world.patchPresence(A1, { presenceDefinition: { id: AVAILABLE } }, 'x');
    expect(apiError(() => world.putRoutingStatus(A1, { status: 'IDLE' }, 'x'))).toMatchObject({
      status: 400,
      code: 'bad.request',
    });
  });

  it('answers OFF_QUEUE for the routing status of unknown users unless configured otherwise', () => {
    expect(recordedWorld(testScenario()).world.getRoutingStatus('nobody')).toMatchObject({
      status: 'OFF_QUEUE',
    });
    const strict = recordedWorld(testScenario({ platform: { unknownUserRoutingStatus: 'not-found' } })).world;
    expect(apiError(() => strict.getRoutingStatus('nobody')).status).toBe(404);
  });

  it('serves users with expands and paging', () => {
    const { world } = recordedWorld(testScenario());
    const user = world.getUser(A1, new Set(['presence', 'routingStatus', 'station', 'conversationSummary']));
    expect(user).toMatchObject({
      id: A1,
      presence: { presenceDefinition: { id: ON_QUEUE, systemPresence: 'On Queue' } },
      routingStatus: { status: 'IDLE' },
      station: { associatedStation: { type: 'inin_webrtc_softphone' } },
      conversationSummary: { call: { contactCenter: { active: 0, acw: 0 } } },
    });
    expect(world.getUser('nobody', new Set())).toBeUndefined();
    const page = world.listUsers({ pageSize: 2, pageNumber: 2, expand: new Set() });
    expect(page).toMatchObject({ pageSize: 2, pageNumber: 2, total: 3, pageCount: 2 });
    expect((page.entities as unknown[]).length).toBe(1);
    const byId = world.listUsers({
      pageSize: 25,
      pageNumber: 1,
      ids: [FIX.agent(2)],
      expand: new Set(['presence']),
    });
    expect(byId.entities).toEqual([
      expect.objectContaining({ id: FIX.agent(2), presence: expect.any(Object) }),
    ]);
    expect(world.presenceDefinitions()).toHaveLength(10);
    expect(world.getQueueMembers(FIX.queue, 100, 1)).toMatchObject({ total: 3 });
    expect(world.getUserQueues(A1, true)).toMatchObject({ entities: [{ id: FIX.queue, joined: true }] });
  });

  it('announces queue joins and leaves on the queue users topic', () => {
    const { world, events } = recordedWorld(testScenario());
    world.act({ type: 'leave-queue', agentId: A1, queueId: FIX.queue });
    const ev = events.find((e) => e.topicName === `v2.routing.queues.${FIX.queue}.users`);
    expect(ev?.eventBody).toEqual({ id: A1, user: { id: A1 }, queueId: FIX.queue, joined: false });
    expect(truth(world)).toMatchObject({ activeQueueIds: [], routingStatus: { status: 'OFF_QUEUE' } });
  });

  it('removes a member from the queue: gone from the member list and announced on the users topic', () => {
    const { world, events } = recordedWorld(testScenario());
    world.act({ type: 'remove-from-queue', agentId: A1, queueId: FIX.queue });
    const ev = events.find((e) => e.topicName === `v2.routing.queues.${FIX.queue}.users`);
    expect(ev?.eventBody).toEqual({ id: A1, user: { id: A1 }, queueId: FIX.queue, joined: false });
    expect(world.getQueueMembers(FIX.queue, 100, 1)).toMatchObject({ total: 2 });
    expect(world.getUserQueues(A1)).toMatchObject({ entities: [] });
    expect(truth(world)).toMatchObject({ activeQueueIds: [], routingStatus: { status: 'OFF_QUEUE' } });
  });
});
