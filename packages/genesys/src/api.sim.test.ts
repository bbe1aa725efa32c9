import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenesysApi } from './api.js';
import { GenesysError } from './errors.js';
import { SHORT_TOKEN_SEC, type SimFixture, startSimFixture, waitFor } from './testing/sim-fixture.js';

interface Truth {
  id: string;
  presence: { systemPresence: string };
  routingStatus: { status: string };
  managementUnitId: string | null;
}

let fx: SimFixture;
let api: GenesysApi;
let agents: Truth[];

beforeAll(async () => {
  fx = await startSimFixture();
  api = fx.api();
  await api.start();
  agents = await fx.sim.control<Truth[]>('GET', '/__sim/agents');
});
afterAll(async () => {
  await fx?.stop();
});

describe('GenesysApi against the simulator', () => {
  it('logs in and renews the token before it expires', async () => {
    expect(api.auth.generation()).toBe(1);
    const short = fx.api('shortToken', { auth: { renewFraction: 0.5 } });
    const renewals: string[] = [];
    short.onTokenRenewed((r) => renewals.push(r.reason));
    await short.start();
    // Renewal at half the 3 s lifetime.
    await waitFor(() => renewals.includes('scheduled'), (SHORT_TOKEN_SEC + 2) * 1000, 'scheduled renewal');
    expect(short.auth.generation()).toBeGreaterThanOrEqual(2);
    const user = await short.users.getUser(agents[0]!.id);
    expect(user.id).toBe(agents[0]!.id);
    short.close();
  });

  it('rejects bad client credentials with UNAUTHORIZED and no secret in the error', async () => {
    const bad = fx.api('full', { clientSecret: 'wrong-secret-value' });
    const err = await bad.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysError);
    expect((err as GenesysError).code).toBe('GENESYS_UNAUTHORIZED');
    expect(JSON.stringify(err)).not.toContain('wrong-secret-value');
    expect(String((err as Error).message)).not.toContain('wrong-secret-value');
  });

  it('lists users with paging, ids and expand', async () => {
    const all = await api.users.listUsers({ pageSize: 7 });
    expect(all.length).toBe(agents.length);
    expect(all[0]?.presence?.presenceDefinition?.systemPresence).toEqual(expect.any(String));
    expect(all[0]?.routingStatus?.status).toEqual(expect.any(String));
    const two = await api.users.listUsers({ ids: agents.slice(0, 2).map((a) => a.id) });
    expect(two.map((u) => u.id).sort()).toEqual(
      agents
        .slice(0, 2)
        .map((a) => a.id)
        .sort(),
    );
  });

  it('reads and writes presence and routing status', async () => {
    const agent = agents[0]!.id;
    const defs = await api.users.listPresenceDefinitions();
    const busy = defs.find((d) => d.systemPresence === 'Busy');
    expect(busy?.id).toEqual(expect.any(String));
    const patched = await api.users.patchPresence(agent, busy!.id!);
    expect(patched.presenceDefinition?.id).toBe(busy!.id);
    const bulk = await api.users.getPresences(agents.map((a) => a.id));
    expect(bulk).toHaveLength(agents.length);
    expect(bulk.find((p) => p.userId === agent || p.id === agent)?.presenceDefinition?.systemPresence).toBe(
      'Busy',
    );
    const rs = await api.users.getRoutingStatus(agent);
    expect(rs.status).toBe('OFF_QUEUE');
    const station = await api.users.getUserStation(agent);
    expect(station).toBeTypeOf('object');
  });

  it('shows the status and inin-correlation-id of a successful write, single and bulk', async () => {
    const [a, b] = [agents[0]!.id, agents[1]!.id];
    const defs = await api.users.listPresenceDefinitions();
    const away = defs.find((d) => d.systemPresence === 'Away')!.id!;
    const meal = defs.find((d) => d.systemPresence === 'Meal')!.id!;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const one = await api.users.patchPresenceSent(a, away);
    expect(one).toMatchObject({ status: 200, value: { presenceDefinition: { id: away } } });
    expect(one.correlationId).toMatch(uuid);
    const routing = await api.users.putRoutingStatusSent(a, 'OFF_QUEUE');
    expect(routing).toMatchObject({ status: 200, value: { status: 'OFF_QUEUE' } });
    expect(routing.correlationId).toMatch(uuid);
    expect(routing.correlationId).not.toBe(one.correlationId);
    const bulk = await api.users.putPresencesBulk([
      { userId: a, definitionId: meal },
      { userId: b, definitionId: meal },
    ]);
    expect(bulk.status).toBe(200);
    expect(bulk.correlationId).toMatch(uuid);
    expect(bulk.value.map((p) => p.presenceDefinition?.id)).toEqual([meal, meal]);
    const now = await fx.sim.control<Truth[]>('GET', '/__sim/agents');
    expect(now.filter((t) => t.id === a || t.id === b).map((t) => t.presence.systemPresence)).toEqual([
      'Meal',
      'Meal',
    ]);
  });

  it('reads queues and WFM data', async () => {
    const agent = agents[0]!.id;
    const queues = await api.users.listUserQueues(agent);
    expect(queues.length).toBeGreaterThan(0);
    const members = await api.users.listQueueMembers(queues[0]!.id!);
    expect(members.some((m) => m.id === agent)).toBe(true);
    const mu = await api.wfm.getAgentManagementUnit(agent);
    expect(mu.managementUnit?.id).toBe(agents[0]!.managementUnitId);
    const muUsers = await api.wfm.listManagementUnitUsers(mu.managementUnit!.id!);
    expect(muUsers.some((u) => u.id === agent)).toBe(true);
    const adherence = await api.wfm.getAdherence([agent]);
    expect(adherence[0]?.adherenceState).toEqual(expect.any(String));
    expect(mu.businessUnit?.id).toEqual(expect.any(String));
    const codes = await api.wfm.listActivityCodes(mu.businessUnit!.id!);
    expect(codes.length).toBeGreaterThan(0);
    const now = Date.now();
    const search = await api.wfm.searchManagementUnitSchedules(mu.managementUnit!.id!, {
      startDate: new Date(now - 86_400_000).toISOString(),
      endDate: new Date(now + 86_400_000).toISOString(),
      userIds: [agent],
    });
    expect(search.status).toEqual(expect.any(String));
    const tor = await api.wfm.listTimeOffRequests(mu.managementUnit!.id!, agent);
    expect(Array.isArray(tor)).toBe(true);
    expect(await api.wfm.getBusinessUnitTimeZone(mu.businessUnit!.id!)).toMatch(/^[A-Za-z]+\/[A-Za-z_]+$/);
  });

  it('reads a schedule search behind its downloadUrl, and refuses URLs it must not fetch', async () => {
    const agent = agents[0]!.id;
    const mu = (await api.wfm.getAgentManagementUnit(agent)).managementUnit!.id!;
    await fx.sim.control('PATCH', '/__sim/settings', { scheduleSearchAnswer: 'download' });
    try {
      const now = Date.now();
      const search = await api.wfm.searchManagementUnitSchedules(mu, {
        startDate: new Date(now - 86_400_000).toISOString(),
        endDate: new Date(now + 86_400_000).toISOString(),
        userIds: [agent],
      });
      expect(search.result ?? null).toBeNull();
      const url = String(search.downloadUrl);
      // The simulator serves over http: refused unless allowed.
      await expect(api.wfm.downloadScheduleSearch(url)).rejects.toMatchObject({
        code: 'GENESYS_UNEXPECTED_RESPONSE',
        message: expect.stringContaining('refused scheme http:'),
      });
      const doc = (await api.wfm.downloadScheduleSearch(url, { allowHttp: true })) as {
        agentSchedules: Array<{ user: { id: string } }>;
      };
      expect(doc.agentSchedules.map((s) => s.user.id)).toEqual([agent]);
      for (const bad of ['file:///etc/passwd', 'not a url', 'ftp://example.com/x']) {
        await expect(api.wfm.downloadScheduleSearch(bad, { allowHttp: true })).rejects.toMatchObject({
          code: 'GENESYS_UNEXPECTED_RESPONSE',
        });
      }
      await expect(
        api.wfm.downloadScheduleSearch(`${new URL(url).origin}/downloads/unknown`, { allowHttp: true }),
      ).rejects.toMatchObject({ code: 'GENESYS_NOT_FOUND' });
    } finally {
      await fx.sim.control('PATCH', '/__sim/settings', { scheduleSearchAnswer: 'sync' });
    }
  });

  it('maps 404 to NOT_FOUND and WFM 403 to FORBIDDEN', async () => {
    await expect(api.users.getUser('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'GENESYS_NOT_FOUND',
      details: { status: 404 },
    });
    const noWfm = fx.api('noWfm');
    await noWfm.start();
    await expect(noWfm.wfm.getAdherence([agents[0]!.id])).rejects.toMatchObject({
      code: 'GENESYS_FORBIDDEN',
    });
    noWfm.close();
  });

  it('creates channels, HEADs them (404 -> false) and manages subscriptions', async () => {
    const ch = await api.notifications.createChannel();
    expect(ch.connectUri).toMatch(/^ws:\/\//);
    expect(await api.notifications.channelExists(ch.id)).toBe(true);
    expect(await api.notifications.channelExists('streaming-0-doesnotexist')).toBe(false);
    const a = agents[0]!.id;
    const put = await api.notifications.putSubscriptions(ch.id, [`v2.users.${a}?presence&routingStatus`]);
    expect(put.permitted).toEqual([`v2.users.${a}?presence&routingStatus`]);
    const post = await api.notifications.postSubscriptions(ch.id, [`v2.users.${a}.station`]);
    expect(post.permitted).toHaveLength(2);
    expect((await api.notifications.getSubscriptions(ch.id)).permitted).toHaveLength(2);
    await api.notifications.deleteSubscriptions(ch.id);
    expect((await api.notifications.getSubscriptions(ch.id)).permitted).toEqual([]);
    const listed = await api.notifications.listChannels();
    expect(listed.some((c) => c.id === ch.id)).toBe(true);
  });

  it('reports WFM topics as Rejected for a client without WFM', async () => {
    const noWfm = fx.api('noWfm');
    await noWfm.start();
    const ch = await noWfm.notifications.createChannel();
    const a = agents[0]!.id;
    const r = await noWfm.notifications.putSubscriptions(ch.id, [
      `v2.users.${a}.presence`,
      `v2.users.${a}.workforcemanagement.adherence`,
    ]);
    expect(r.permitted).toEqual([`v2.users.${a}.presence`]);
    expect(r.rejected[0]).toMatchObject({ topic: `v2.users.${a}.workforcemanagement.adherence` });
    await expect(
      noWfm.notifications.putSubscriptions(ch.id, [`v2.users.${a}.workforcemanagement.adherence`], {
        ignoreErrors: false,
      }),
    ).rejects.toMatchObject({ code: 'GENESYS_FORBIDDEN' });
    noWfm.close();
  });

  it('logs in again once after token revocation', async () => {
    const gen = api.auth.generation();
    await fx.sim.control('POST', '/__sim/faults', { kind: 'token-revoke', clientId: 'lockstep-demo' });
    const user = await api.users.getUser(agents[1]!.id);
    expect(user.id).toBe(agents[1]!.id);
    expect(api.auth.generation()).toBe(gen + 1);
  });

  it('honours Retry-After during a 429 storm', async () => {
    const storm = fx.api('full', { pacing: { jitterMs: 0 } });
    await storm.start();
    await fx.sim.control('POST', '/__sim/faults', {
      kind: 'rate-limit-storm',
      clientId: 'lockstep-demo',
      durationMs: 1_500,
      retryAfterSec: 1,
    });
    const started = Date.now();
    const user = await storm.users.getUser(agents[2]!.id);
    expect(user.id).toBe(agents[2]!.id);
    expect(storm.pacer.stats().rateLimited).toBeGreaterThanOrEqual(1);
    // At least one Retry-After second was waited.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    storm.close();
  });
});
