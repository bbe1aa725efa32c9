import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type InProcessSim, startInProcessSim } from '../http/test-harness.js';

const api = platformClient.ApiClient.instance;
let sim: InProcessSim;
let users: string[];

beforeAll(async () => {
  sim = await startInProcessSim({
    extraClients: [
      { clientId: 'no-wfm', clientSecret: 'no-wfm-secret', permissions: ['presence', 'routing'] },
      { clientId: 'evict', clientSecret: 'evict-secret' },
    ],
  });
  users = sim.world.groundTruth().map((a) => a.id);
  api.setGateway({ host: '127.0.0.1', protocol: 'http', port: sim.port });
  const c = sim.clients[0]!;
  await api.loginClientCredentialsGrant(c.clientId, c.clientSecret);
});
afterAll(async () => {
  await sim?.close();
});

const notifications = () => new platformClient.NotificationsApi();
const login = (clientId: string) => {
  const c = sim.clients.find((x) => x.clientId === clientId)!;
  return api.loginClientCredentialsGrant(c.clientId, c.clientSecret);
};

describe('channels', () => {
  it('creates a channel shaped like the platform one, lists it and HEADs it', async () => {
    const ch = await notifications().postNotificationsChannels();
    expect(ch.id).toMatch(/^streaming-\d+-[a-z0-9]{26}$/);
    expect(ch.connectUri).toBe(`ws://127.0.0.1:${sim.port}/channels/${ch.id}`);
    const expires = Date.parse(ch.expires!);
    expect(expires - sim.world.now()).toBe(24 * 3600 * 1000);
    const list = await notifications().getNotificationsChannels({ includechannels: 'token' });
    expect(list.entities?.map((c) => c.id)).toContain(ch.id);
    await expect(notifications().headNotificationsChannel(ch.id!)).resolves.toBeUndefined();
    await expect(
      notifications().headNotificationsChannel('streaming-0-doesnotexist'),
    ).rejects.toBeUndefined();
  });

  it('replaces, adds, lists and deletes subscriptions, with combined topics expanded', async () => {
    const ch = await notifications().postNotificationsChannels();
    const [a, b] = users as [string, string];
    const put = await notifications().putNotificationsChannelSubscriptions(ch.id!, [
      { id: `v2.users.${a}.presence` },
      { id: `v2.users.${b}?presence&routingStatus&station` },
    ]);
    expect(put.entities?.map((t) => [t.id, t.state])).toEqual([
      [`v2.users.${a}.presence`, 'Permitted'],
      [`v2.users.${b}?presence&routingStatus&station`, 'Permitted'],
    ]);
    const added = await notifications().postNotificationsChannelSubscriptions(ch.id!, [
      { id: `v2.users.${a}.routingStatus` },
      { id: `V2.USERS.${a}.PRESENCE` },
    ]);
    expect(added.entities).toHaveLength(3);
    const channels = (await sim.control('GET', '/__sim/channels')).body as {
      entities: Array<{ id: string; topics: number; expandedTopics: number }>;
    };
    expect(channels.entities.find((c) => c.id === ch.id)).toMatchObject({ topics: 3, expandedTopics: 5 });
    const listed = await notifications().getNotificationsChannelSubscriptions(ch.id!);
    expect(listed.entities).toHaveLength(3);
    await notifications().deleteNotificationsChannelSubscriptions(ch.id!);
    expect((await notifications().getNotificationsChannelSubscriptions(ch.id!)).entities).toEqual([]);
  });

  it('extends expires by 24 h on resubscription', async () => {
    const ch = await notifications().postNotificationsChannels();
    sim.world.advance(60_000);
    await notifications().putNotificationsChannelSubscriptions(ch.id!, [
      { id: `v2.users.${users[0]}.presence` },
    ]);
    const list = await notifications().getNotificationsChannels();
    const after = list.entities?.find((c) => c.id === ch.id);
    expect(Date.parse(after!.expires!)).toBe(Date.parse(ch.expires!) + 60_000);
  });

  it('rejects invalid topics (400) unless ignoreErrors, and more than 1,000 topics', async () => {
    const ch = await notifications().postNotificationsChannels();
    await expect(
      notifications().putNotificationsChannelSubscriptions(ch.id!, [{ id: 'v2.users.x.nonsense' }]),
    ).rejects.toMatchObject({ status: 400, code: 'notification.invalid.topic' });
    const lenient = await notifications().putNotificationsChannelSubscriptions(
      ch.id!,
      [{ id: 'v2.users.x.nonsense' }, { id: `v2.users.${users[0]}.presence` }],
      { ignoreErrors: true },
    );
    expect(lenient.entities?.map((t) => t.state).sort()).toEqual(['Permitted', 'Rejected']);
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `v2.users.user-${i}.presence` }));
    await expect(notifications().putNotificationsChannelSubscriptions(ch.id!, many)).rejects.toMatchObject({
      status: 400,
      code: 'notification.subscription.too.many.subscriptions',
    });
    const exactly = await notifications().putNotificationsChannelSubscriptions(ch.id!, many.slice(0, 1000));
    expect(exactly.entities).toHaveLength(1000);
    await expect(
      notifications().postNotificationsChannelSubscriptions(ch.id!, [{ id: `v2.users.${users[0]}.station` }]),
    ).rejects.toMatchObject({ status: 400, code: 'notification.subscription.too.many.subscriptions' });
  });

  it('rejects WFM topics for a client without wfm: 403, or Rejected with missingPermissions', async () => {
    await login('no-wfm');
    try {
      const ch = await notifications().postNotificationsChannels();
      const topic = { id: `v2.users.${users[0]}.workforcemanagement.adherence` };
      await expect(
        notifications().putNotificationsChannelSubscriptions(ch.id!, [topic]),
      ).rejects.toMatchObject({
        status: 403,
        code: 'missing.permissions',
      });
      const r = await notifications().putNotificationsChannelSubscriptions(ch.id!, [topic], {
        ignoreErrors: true,
      });
      expect(r.entities?.[0]).toMatchObject({
        state: 'Rejected',
        missingPermissions: ['wfm:realtimeAdherence:view'],
      });
    } finally {
      await login(sim.clients[0]!.clientId);
    }
  });

  it('evicts on the 21st channel: unconnected first, oldest last used', async () => {
    await login('evict');
    const sockets: WebSocket[] = [];
    try {
      const created = [];
      for (let i = 0; i < 20; i++) created.push(await notifications().postNotificationsChannels());
      // Connect the oldest; the oldest unconnected (the second) must be the one evicted.
      const ws = new WebSocket(created[0]!.connectUri!);
      sockets.push(ws);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      await notifications().postNotificationsChannels();
      await expect(notifications().headNotificationsChannel(created[0]!.id!)).resolves.toBeUndefined();
      await expect(notifications().headNotificationsChannel(created[1]!.id!)).rejects.toBeUndefined();
      const listed = await notifications().getNotificationsChannels({ includechannels: 'oauthclient' });
      expect(listed.entities).toHaveLength(20);
    } finally {
      for (const s of sockets) s.close();
      await login(sim.clients[0]!.clientId);
    }
  });

  it('hides other clients channels', async () => {
    const ch = await notifications().postNotificationsChannels();
    await login('evict');
    try {
      await expect(notifications().getNotificationsChannelSubscriptions(ch.id!)).rejects.toMatchObject({
        status: 404,
      });
    } finally {
      await login(sim.clients[0]!.clientId);
    }
  });
});
