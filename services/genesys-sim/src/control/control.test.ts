import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessSim, startInProcessSim } from '../http/test-harness.js';
import type { AgentTruth } from '../world/contract.js';

const BREAK = '227b37e2-f1d0-4dd0-8f50-badd7cf6d158';
let sim: InProcessSim;

beforeAll(async () => {
  sim = await startInProcessSim();
});
afterAll(async () => {
  await sim?.close();
});

describe('control API', () => {
  it('401s without the control token', async () => {
    expect((await fetch(`${sim.baseUrl}/__sim/agents`)).status).toBe(401);
    const wrong = await fetch(`${sim.baseUrl}/__sim/agents`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ status: 401, code: 'bad.credentials' });
  });

  it('GET /__sim/agents reflects a presence PATCH', async () => {
    const before = (await sim.control('GET', '/__sim/agents')).body as AgentTruth[];
    const agent = before[0]!;
    const token = await sim.token();
    const res = await fetch(`${sim.baseUrl}/api/v2/users/${agent.id}/presences/purecloud`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ presenceDefinition: { id: BREAK } }),
    });
    expect(res.status).toBe(200);
    const after = (await sim.control('GET', '/__sim/agents')).body as AgentTruth[];
    expect(after.find((a) => a.id === agent.id)?.presence).toMatchObject({
      definitionId: BREAK,
      systemPresence: 'Break',
    });
  });

  it('runs world actions and validates their bodies', async () => {
    const agent = sim.world.groundTruth().find((a) => a.station?.associated)!;
    const ok = await sim.control('POST', '/__sim/actions', { type: 'kill-station', agentId: agent.id });
    expect(ok).toEqual({ status: 200, body: { ok: true } });
    expect(sim.world.groundTruth().find((a) => a.id === agent.id)?.station?.healthy).toBe(false);
    const bad = await sim.control('POST', '/__sim/actions', {
      type: 'set-presence',
      agentId: 1,
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'bad.request', status: 400 });
    expect((bad.body as { message: string }).message).toContain('agentId');
  });

  it('creates, lists and ends transport faults', async () => {
    const created = await sim.control('POST', '/__sim/faults', {
      kind: 'events',
      mode: 'drop',
      topic: '.presence',
    });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    const list = (await sim.control('GET', '/__sim/faults')).body as { entities: Array<{ id: string }> };
    expect(list.entities.map((f) => f.id)).toContain(id);
    const stats = (await sim.control('GET', '/__sim/stats')).body as { activeEventFaults: number };
    expect(stats.activeEventFaults).toBe(1);
    expect((await sim.control('DELETE', `/__sim/faults/${id}`)).status).toBe(204);
    expect((await sim.control('DELETE', `/__sim/faults/${id}`)).status).toBe(404);
    expect((await sim.control('POST', '/__sim/faults', { kind: 'meteor' })).status).toBe(400);
    const timed = await sim.control('POST', '/__sim/faults', { kind: 'heartbeats-stop', durationMs: 50 });
    await new Promise((r) => setTimeout(r, 120));
    const after = (await sim.control('GET', '/__sim/faults')).body as { entities: Array<{ id: string }> };
    expect(after.entities.map((f) => f.id)).not.toContain((timed.body as { id: string }).id);
  });

  it('carries out faults scripted by the world', async () => {
    sim.world.act({ type: 'fault', fault: { kind: 'rate-limit-storm', durationMs: 60_000 } });
    const list = (await sim.control('GET', '/__sim/faults')).body as {
      entities: Array<{ fault: { kind: string } }>;
    };
    expect(list.entities.map((f) => f.fault.kind)).toContain('rate-limit-storm');
    sim.server.faults.close();
  });

  it('reports channels and stats', async () => {
    const token = await sim.token();
    await fetch(`${sim.baseUrl}/api/v2/notifications/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const channels = (await sim.control('GET', '/__sim/channels')).body as {
      entities: Array<{ connected: boolean; socketState: string; topics: number }>;
    };
    expect(channels.entities[0]).toMatchObject({ connected: false, socketState: 'none', topics: 0 });
    const stats = (await sim.control('GET', '/__sim/stats')).body as Record<string, unknown>;
    expect(stats).toMatchObject({
      eventsEmitted: expect.any(Number),
      eventsDelivered: expect.any(Number),
      dropped: expect.any(Object),
      socketsOpen: 0,
      channels: 1,
    });
    expect(stats.eventsEmitted as number).toBeGreaterThan(0);
  });
});
