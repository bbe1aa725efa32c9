import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentTruth } from '../world/contract.js';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

// The official SDK drives the REST surface unchanged, through its gateway setting (reference §7.2).
const api = platformClient.ApiClient.instance;
const ON_QUEUE = 'e08eaf1b-ee47-4fa9-a231-1200e284798f';
const AVAILABLE = '6a3af858-942f-489d-9700-5f9bcdcdae9b';
const BREAK = '227b37e2-f1d0-4dd0-8f50-badd7cf6d158';

let sim: InProcessSim;
let agents: AgentTruth[];

beforeAll(async () => {
  sim = await startInProcessSim({
    extraClients: [
      { clientId: 'no-wfm', clientSecret: 'no-wfm-secret', permissions: ['presence', 'routing'] },
    ],
  });
  agents = sim.world.groundTruth();
  api.setGateway({ host: '127.0.0.1', protocol: 'http', port: sim.port });
  const main = sim.clients[0]!;
  await api.loginClientCredentialsGrant(main.clientId, main.clientSecret);
});
afterAll(async () => {
  await sim?.close();
});

const truth = (id: string) => sim.world.groundTruth().find((a) => a.id === id)!;

describe('users', () => {
  it('reads one user with expand', async () => {
    const a = agents[0]!;
    const user = await new platformClient.UsersApi().getUser(a.id, { expand: ['presence', 'routingStatus'] });
    expect(user.id).toBe(a.id);
    expect(user.name).toBe(a.name);
    expect(user.presence?.presenceDefinition?.systemPresence).toBe(a.presence.systemPresence);
    expect(user.routingStatus?.status).toBe(a.routingStatus.status);
  });

  it('pages users with the paging envelope and filters by id', async () => {
    const users = new platformClient.UsersApi();
    const page = await users.getUsers({ pageSize: 2, pageNumber: 1 });
    expect(page.entities).toHaveLength(Math.min(2, agents.length));
    expect(page).toMatchObject({ pageSize: 2, pageNumber: 1 });
    expect(page.total).toBeGreaterThanOrEqual(agents.length);
    const ids = agents.slice(0, 2).map((a) => a.id);
    const byId = await users.getUsers({ id: ids, expand: ['presence'] });
    expect(byId.entities?.map((u) => u.id).sort()).toEqual([...ids].sort());
    await expect(users.getUsers({ pageSize: 501 })).rejects.toMatchObject({ status: 400 });
  });

  it('404s an unknown user with an ErrorBody', async () => {
    await expect(new platformClient.UsersApi().getUser('no-such-user')).rejects.toMatchObject({
      status: 404,
      code: 'not.found',
      contextId: expect.any(String),
    });
  });

  it('lists queues of a user and members of a queue', async () => {
    const a = agents.find((x) => x.activeQueueIds.length > 0)!;
    const queues = await new platformClient.UsersApi().getUserQueues(a.id);
    expect(queues.entities?.map((q) => q.id)).toContain(a.activeQueueIds[0]);
    const members = await new platformClient.RoutingApi().getRoutingQueueMembers(a.activeQueueIds[0]!);
    expect(members.entities?.map((m) => m.id)).toContain(a.id);
  });
});

describe('presence', () => {
  it('lists the presence definitions', async () => {
    const defs = await new platformClient.PresenceApi().getPresencedefinitions();
    expect(defs.entities?.map((d) => d.id)).toContain(ON_QUEUE);
  });

  it('PATCHes presence on /presences/purecloud and /presences/PURECLOUD and the world follows', async () => {
    const presence = new platformClient.PresenceApi();
    const a = agents[1] ?? agents[0]!;
    const r1 = await presence.patchUserPresencesPurecloud(a.id, { presenceDefinition: { id: BREAK } });
    expect(r1.presenceDefinition?.id).toBe(BREAK);
    expect(truth(a.id).presence.systemPresence).toBe('Break');
    const r2 = await presence.patchUserPresence(a.id, 'PURECLOUD', { presenceDefinition: { id: AVAILABLE } });
    expect(r2.presenceDefinition?.id).toBe(AVAILABLE);
    expect(truth(a.id).presence.systemPresence).toBe('Available');
    const read = await presence.getUserPresencesPurecloud(a.id);
    expect(read.presenceDefinition?.id).toBe(AVAILABLE);
  });

  it('reads presence in bulk (≤ 50 ids) and writes it in bulk', async () => {
    const presence = new platformClient.PresenceApi();
    const ids = agents.slice(0, 3).map((a) => a.id);
    const bulk = await presence.getUsersPresencesPurecloudBulk({ id: ids });
    expect(bulk.map((p) => p.userId).sort()).toEqual([...ids].sort());
    const tooMany = Array.from({ length: 51 }, (_, i) => `u${i}`);
    await expect(presence.getUsersPresencesPurecloudBulk({ id: tooMany })).rejects.toMatchObject({
      status: 400,
    });
    const target = agents[0]!;
    const written = await presence.putUsersPresencesBulk([
      { id: target.id, presenceDefinition: { id: BREAK }, source: 'PURECLOUD' },
    ]);
    expect(written).toHaveLength(1);
    expect(truth(target.id).presence.systemPresence).toBe('Break');
  });
});

describe('routing status and station', () => {
  it('puts a routing status', async () => {
    const users = new platformClient.UsersApi();
    const a = agents.find((x) => x.station?.associated && x.activeQueueIds.length > 0) ?? agents[0]!;
    await new platformClient.PresenceApi().patchUserPresencesPurecloud(a.id, {
      presenceDefinition: { id: ON_QUEUE },
    });
    const put = await users.putUserRoutingstatus(a.id, { status: 'OFF_QUEUE' });
    expect(put.status).toBe('OFF_QUEUE');
    expect((await users.getUserRoutingstatus(a.id)).status).toBe(truth(a.id).routingStatus.status);
  });

  it('reads and disassociates a station', async () => {
    const users = new platformClient.UsersApi();
    const a = agents.find((x) => x.station?.associated)!;
    const station = await users.getUserStation(a.id);
    expect(station.associatedStation?.id).toBe(a.station?.id);
    await users.deleteUserStationAssociatedstation(a.id);
    expect(truth(a.id).station?.associated).toBe(false);
  });
});

describe('workforce management', () => {
  const wfm = () => new platformClient.WorkforceManagementApi();
  const scheduled = () => agents.find((a) => a.managementUnitId !== null)!;

  it('finds an agent MU, its users, schedules, adherence and time off', async () => {
    const a = scheduled();
    const mu = await wfm().getWorkforcemanagementAgentManagementunit(a.id);
    expect(mu.managementUnit?.id).toBe(a.managementUnitId);
    const mus = await wfm().getWorkforcemanagementManagementunits();
    expect(mus.entities?.map((m) => m.id)).toContain(a.managementUnitId);
    const users = await wfm().getWorkforcemanagementManagementunitUsers(a.managementUnitId!);
    expect(users.entities?.map((u) => u.id)).toContain(a.id);
    const start = new Date(sim.world.now() - 12 * 3600_000).toISOString();
    const end = new Date(sim.world.now() + 36 * 3600_000).toISOString();
    const search = await wfm().postWorkforcemanagementManagementunitAgentschedulesSearch(
      a.managementUnitId!,
      {
        startDate: start,
        endDate: end,
        userIds: [a.id],
      },
    );
    expect(search.status).toBe('Complete');
    expect(search.result?.agentSchedules?.[0]?.user?.id).toBe(a.id);
    const adherence = await wfm().getWorkforcemanagementAdherence([a.id]);
    expect(adherence[0]?.user?.id ?? adherence[0]?.id).toBe(a.id);
    const muAdherence = await wfm().getWorkforcemanagementManagementunitAdherence(a.managementUnitId!);
    expect(muAdherence.entities?.length).toBeGreaterThan(0);
    const timeOff = await wfm().getWorkforcemanagementManagementunitUserTimeoffrequests(
      a.managementUnitId!,
      a.id,
    );
    expect(Array.isArray(timeOff.timeOffRequests)).toBe(true);
    const bu = mu.businessUnit?.id;
    expect(bu).toEqual(expect.any(String));
    const codes = await wfm().getWorkforcemanagementBusinessunitActivitycodes(bu!);
    expect(codes.entities?.length).toBeGreaterThan(0);
  });

  it('rejects adherence requests outside 1..100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `u${i}`);
    await expect(wfm().getWorkforcemanagementAdherence(ids)).rejects.toMatchObject({ status: 400 });
  });

  it('answers 403 missing.permissions to a client without wfm', async () => {
    const token = await sim.token(sim.clients.find((c) => c.clientId === 'no-wfm'));
    const res = await fetch(`${sim.baseUrl}/api/v2/workforcemanagement/managementunits`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'missing.permissions', status: 403 });
  });
});
