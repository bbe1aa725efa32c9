import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentTruth } from '../world/contract.js';
import { SYSTEM_PRESENCE_IDS } from '../world/presence-definitions.js';
import type { LoggedRequest } from './request-log.js';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

let sim: InProcessSim;
let token: string;

beforeAll(async () => {
  sim = await startInProcessSim({
    config: { rateLimitPerMinute: 1_000 },
    extraClients: [{ clientId: 'tight', clientSecret: 'tight-secret' }],
  });
  token = await sim.token();
});
afterAll(async () => {
  await sim?.close();
});

const api = (method: string, path: string, body?: unknown, bearer = token) =>
  fetch(`${sim.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const requests = async (q = '') => {
  const res = await sim.control('GET', `/__sim/requests${q}`);
  expect(res.status).toBe(200);
  return res.body as { entities: LoggedRequest[]; total: number; dropped: number };
};

/** Two idle, routable agents with a healthy station on a shared queue. */
function idleAgents(): [AgentTruth, AgentTruth] {
  const idle = sim.world
    .groundTruth()
    .filter(
      (a) =>
        a.routingStatus.status === 'IDLE' &&
        a.activeInteractions === 0 &&
        a.station?.associated === true &&
        a.station.healthy,
    );
  expect(idle.length).toBeGreaterThanOrEqual(2);
  return [idle[0]!, idle[1]!];
}

describe('request log', () => {
  it('records each state-changing request with the agents’ interaction state on arrival', async () => {
    await sim.control('DELETE', '/__sim/requests');
    const [busy, free] = idleAgents();
    sim.world.act({ type: 'offer-call', queueId: busy.activeQueueIds[0]!, agentId: busy.id });
    const alerting = sim.world.agentInteractions(busy.id);
    expect(alerting).toEqual([{ conversationId: expect.any(String), media: 'call', state: 'alerting' }]);

    const sinceMs = sim.world.now();
    expect((await api('PUT', `/api/v2/users/${busy.id}/routingstatus`, { status: 'IDLE' })).status).toBe(200);
    sim.world.advance(5_000); // answered after 1 to 3 s
    expect(sim.world.agentInteractions(busy.id)).toEqual([expect.objectContaining({ state: 'connected' })]);
    const patch = await api('PATCH', `/api/v2/users/${free.id}/presences/purecloud`, {
      presenceDefinition: { id: SYSTEM_PRESENCE_IDS.Available },
    });
    expect(patch.status).toBe(200);
    const bulk = await api('PUT', '/api/v2/users/presences/bulk', [
      { id: busy.id, presenceDefinition: { id: SYSTEM_PRESENCE_IDS['On Queue'] }, source: 'PURECLOUD' },
      { id: free.id, presenceDefinition: { id: SYSTEM_PRESENCE_IDS['On Queue'] }, source: 'PURECLOUD' },
    ]);
    expect(bulk.status).toBe(200);
    sim.world.act({ type: 'hold-call', agentId: busy.id, held: true });
    const onHold = await api('PUT', `/api/v2/users/${busy.id}/routingstatus`, { status: 'OFF_QUEUE' });
    expect(onHold.status).toBe(400); // a routing change during a call is refused
    sim.world.act({ type: 'hold-call', agentId: busy.id, held: false });
    expect((await api('GET', `/api/v2/users/${busy.id}/routingstatus`)).status).toBe(200);
    expect((await api('PUT', '/api/v2/users/nobody/routingstatus', { status: 'IDLE' })).status).toBe(404);

    const log = await requests();
    expect(log.entities.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      `PUT /api/v2/users/${busy.id}/routingstatus 200`,
      `PATCH /api/v2/users/${free.id}/presences/purecloud 200`,
      'PUT /api/v2/users/presences/bulk 200',
      `PUT /api/v2/users/${busy.id}/routingstatus 400`,
      'PUT /api/v2/users/nobody/routingstatus 404',
    ]);
    const [put, presence, bulkEntry, held, unknown] = log.entities;
    expect(held).toMatchObject({
      midInteraction: true,
      agents: [{ id: busy.id, interactions: [{ media: 'call', state: 'held' }] }],
    });
    expect(put).toMatchObject({
      seq: expect.any(Number),
      body: { status: 'IDLE' },
      clientId: sim.clients[0]!.clientId,
      agentIds: [busy.id],
      midInteraction: true,
      agents: [
        { id: busy.id, interactions: [{ media: 'call', state: 'alerting' }], routingStatus: 'INTERACTING' },
      ],
    });
    expect(put!.atMs).toBeGreaterThanOrEqual(sinceMs);
    expect(put!.at).toBe(new Date(put!.atMs).toISOString());
    expect(presence).toMatchObject({
      body: { presenceDefinition: { id: SYSTEM_PRESENCE_IDS.Available } },
      agentIds: [free.id],
      midInteraction: false,
      agents: [{ id: free.id, interactions: [], presence: 'On Queue', routingStatus: 'IDLE' }],
    });
    expect(presence!.atMs).toBe(put!.atMs + 5_000);
    expect(bulkEntry).toMatchObject({
      agentIds: [busy.id, free.id],
      midInteraction: true,
      agents: [
        { id: busy.id, interactions: [{ state: 'connected' }] },
        { id: free.id, interactions: [], presence: 'Available' },
      ],
    });
    expect(unknown).toMatchObject({
      agentIds: ['nobody'],
      midInteraction: false,
      agents: [{ presence: null }],
    });

    // Filters.
    const byAgent = await requests(`?agentId=${free.id}`);
    expect(byAgent.entities.map((e) => e.seq)).toEqual([presence!.seq, bulkEntry!.seq]);
    expect((await requests('?method=patch')).entities.map((e) => e.seq)).toEqual([presence!.seq]);
    expect((await requests('?path=/presences/bulk')).entities.map((e) => e.seq)).toEqual([bulkEntry!.seq]);
    expect((await requests('?midInteraction=true')).entities.map((e) => e.seq)).toEqual([
      put!.seq,
      bulkEntry!.seq,
      held!.seq,
    ]);
    expect((await requests('?status=404')).entities.map((e) => e.seq)).toEqual([unknown!.seq]);
    const since = await requests(`?since=${encodeURIComponent(presence!.at)}`);
    expect(since.entities.map((e) => e.seq)).toEqual([
      presence!.seq,
      bulkEntry!.seq,
      held!.seq,
      unknown!.seq,
    ]);
    expect((await requests(`?since=${presence!.atMs + 1}`)).total).toBe(0);
    sim.world.act({ type: 'end-call', agentId: busy.id });
  });

  it('records requests the gate refuses, with their status', async () => {
    await sim.control('DELETE', '/__sim/requests');
    const [agent] = idleAgents();
    sim.world.act({
      type: 'fault',
      fault: { kind: 'rate-limit-storm', clientId: 'tight', durationMs: 60_000 },
    });
    const tight = await sim.token(sim.clients.find((c) => c.clientId === 'tight'));
    expect(
      (await api('PUT', `/api/v2/users/${agent.id}/routingstatus`, { status: 'IDLE' }, tight)).status,
    ).toBe(429);
    expect(
      (await api('PUT', `/api/v2/users/${agent.id}/routingstatus`, { status: 'IDLE' }, 'bad')).status,
    ).toBe(401);
    sim.server.faults.close();
    const log = await requests();
    expect(log.entities.map((e) => [e.status, e.clientId, e.agentIds, e.body])).toEqual([
      [429, 'tight', [agent.id], undefined],
      [401, null, [agent.id], undefined],
    ]);
  });

  it('refuses bad filter parameters, listing each', async () => {
    const res = await sim.control('GET', '/__sim/requests?since=yesterday&status=ok&color=red');
    expect(res.status).toBe(400);
    const message = (res.body as { message: string }).message;
    expect(message).toContain('since');
    expect(message).toContain('status');
    expect(message).toContain('color');
  });

  it('keeps reads too once logReads is set, and stops when it is cleared', async () => {
    await sim.control('DELETE', '/__sim/requests');
    const [agent] = idleAgents();
    expect((await api('GET', `/api/v2/users?id=${agent.id}`)).status).toBe(200);
    expect((await requests('?method=GET')).total).toBe(0);
    expect((await sim.control('PATCH', '/__sim/settings', { logReads: true })).body).toMatchObject({
      logReads: true,
    });
    try {
      expect((await api('GET', `/api/v2/users?id=${agent.id}&expand=presence`)).status).toBe(200);
      expect((await api('GET', `/api/v2/users/${agent.id}/routingstatus`)).status).toBe(200);
      const reads = await requests('?method=GET');
      expect(reads.entities.map((e) => e.path)).toEqual([
        '/api/v2/users',
        `/api/v2/users/${agent.id}/routingstatus`,
      ]);
      expect(reads.entities.map((e) => e.agentIds)).toEqual([[agent.id], [agent.id]]);
    } finally {
      await sim.control('PATCH', '/__sim/settings', { logReads: false });
    }
    expect((await api('GET', `/api/v2/users?id=${agent.id}`)).status).toBe(200);
    expect((await requests('?method=GET')).total).toBe(2);
  });
});
