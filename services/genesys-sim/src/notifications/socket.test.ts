import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type InProcessSim, startInProcessSim } from '../http/test-harness.js';

const HEARTBEAT_MS = 100;
const TTL_MS = 10 * 60_000;
const BREAK = '227b37e2-f1d0-4dd0-8f50-badd7cf6d158';
const AVAILABLE = '6a3af858-942f-489d-9700-5f9bcdcdae9b';
const MEAL = '3fd96123-badb-4f69-bc03-1b1ccc6d8014';

interface Frame {
  topicName: string;
  version?: string;
  eventBody: Record<string, unknown>;
  metadata?: { CorrelationId: string };
}

interface Client {
  readonly channelId: string;
  readonly ws: WebSocket;
  readonly frames: Frame[];
  closed: { code: number } | undefined;
  events(topicPart?: string): Frame[];
  waitFor(pred: (f: Frame) => boolean, ms?: number): Promise<Frame>;
}

let sim: InProcessSim;
let token: string;
let agents: string[];

beforeAll(async () => {
  sim = await startInProcessSim({ config: { heartbeatMs: HEARTBEAT_MS, channelTtlMs: TTL_MS } });
  token = await sim.token();
  agents = sim.world.groundTruth().map((a) => a.id);
});
afterAll(async () => {
  await sim?.close();
});

const rest = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const patchPresence = (agent: string, definitionId: string) =>
  rest('PATCH', `/api/v2/users/${agent}/presences/purecloud`, { presenceDefinition: { id: definitionId } });

function connect(uri: string, channelId: string): Promise<Client> {
  const ws = new WebSocket(uri);
  const client: Client = {
    channelId,
    ws,
    frames: [],
    closed: undefined,
    events: (part) =>
      client.frames.filter(
        (f) => f.topicName !== 'channel.metadata' && (!part || f.topicName.includes(part)),
      ),
    waitFor(pred, ms = 2000) {
      return new Promise((resolve, reject) => {
        const hit = client.frames.find(pred);
        if (hit) return resolve(hit);
        const timer = setTimeout(() => {
          ws.off('message', on);
          reject(new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(client.frames.slice(-5))}`));
        }, ms);
        const on = () => {
          const f = client.frames.find(pred);
          if (f) {
            clearTimeout(timer);
            ws.off('message', on);
            resolve(f);
          }
        };
        ws.on('message', on);
      });
    },
  };
  ws.prependListener('message', (data) => client.frames.push(JSON.parse(data.toString()) as Frame));
  ws.on('close', (code) => {
    client.closed = { code };
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

async function openChannel(topics: string[]): Promise<Client> {
  const ch = (await rest('POST', '/api/v2/notifications/channels')).body as {
    id: string;
    connectUri: string;
  };
  const sub = await rest(
    'PUT',
    `/api/v2/notifications/channels/${ch.id}/subscriptions`,
    topics.map((id) => ({ id })),
  );
  expect(sub.status).toBe(200);
  return connect(ch.connectUri, ch.id);
}

const waitClosed = async (c: Client, ms = 2000) => {
  const end = Date.now() + ms;
  while (!c.closed && Date.now() < end) await sleep(10);
  return c.closed;
};

describe('notification sockets', () => {
  it('delivers events in the platform envelope after a presence PATCH', async () => {
    const a = agents[0]!;
    const c = await openChannel([`v2.users.${a}?presence&routingStatus`]);
    await patchPresence(a, BREAK);
    const f = await c.waitFor((x) => x.topicName === `v2.users.${a}.presence`);
    expect(f).toMatchObject({
      version: '2',
      eventBody: { presenceDefinition: { id: BREAK } },
      metadata: { CorrelationId: expect.any(String) },
    });
    c.ws.close();
  });

  it('sends heartbeats and answers ping with pong; ignores unknown frames', async () => {
    const c = await openChannel([`v2.users.${agents[0]}.presence`]);
    const hb = await c.waitFor((f) => f.eventBody.message === 'WebSocket Heartbeat');
    expect(hb).toEqual({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
    c.ws.send('not json at all');
    c.ws.send(JSON.stringify({ message: 'subscribe-something-unknown' }));
    c.ws.send(JSON.stringify({ message: 'ping' }));
    const pong = await c.waitFor((f) => f.eventBody.message === 'pong');
    expect(pong).toEqual({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
    c.ws.close();
  });

  it('rejects an upgrade to an unknown channel with 404', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${sim.port}/channels/streaming-1-nope`);
    ws.on('error', () => {});
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.once('open', () => resolve(101));
    });
    expect(status).toBe(404);
  });

  it('closes the first socket when a second connects to the same channel', async () => {
    const a = agents[0]!;
    const first = await openChannel([`v2.users.${a}.presence`]);
    const second = await connect(`ws://127.0.0.1:${sim.port}/channels/${first.channelId}`, first.channelId);
    expect(await waitClosed(first)).toEqual({ code: expect.any(Number) });
    await patchPresence(a, AVAILABLE);
    await second.waitFor((f) => f.topicName.endsWith('.presence'));
    second.ws.close();
  });

  it('warns with v2.system.socket_closing, then closes', async () => {
    const c = await openChannel([`v2.users.${agents[0]}.presence`]);
    const fault = await sim.control('POST', '/__sim/faults', {
      kind: 'socket-closing',
      channelId: c.channelId,
      closeAfterMs: 150,
    });
    expect(fault.body).toMatchObject({ active: false, affected: 1 });
    const warn = await c.waitFor((f) => f.topicName === 'v2.system.socket_closing');
    expect(warn.eventBody).toMatchObject({ channelId: c.channelId });
    expect(c.closed).toBeUndefined();
    expect(await waitClosed(c)).toEqual({ code: 1001 });
  });

  it('kills a socket silently: no close frame, no heartbeats, no pong, no events, TCP open', async () => {
    const a = agents[0]!;
    const c = await openChannel([`v2.users.${a}.presence`]);
    await c.waitFor((f) => f.eventBody.message === 'WebSocket Heartbeat');
    await sim.control('POST', '/__sim/faults', { kind: 'socket-kill', channelId: c.channelId });
    const count = c.frames.length;
    c.ws.send(JSON.stringify({ message: 'ping' }));
    await patchPresence(a, BREAK);
    await sleep(HEARTBEAT_MS * 4);
    expect(c.frames.length).toBe(count);
    expect(c.closed).toBeUndefined();
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    const channels = (await sim.control('GET', '/__sim/channels')).body as {
      entities: Array<{ id: string; socketState: string }>;
    };
    expect(channels.entities.find((x) => x.id === c.channelId)?.socketState).toBe('silent');
    c.ws.terminate();
  });

  it('stops heartbeats for a while with heartbeats-stop', async () => {
    const c = await openChannel([`v2.users.${agents[0]}.presence`]);
    await sim.control('POST', '/__sim/faults', {
      kind: 'heartbeats-stop',
      channelId: c.channelId,
      durationMs: HEARTBEAT_MS * 4,
    });
    const before = c.frames.length;
    await sleep(HEARTBEAT_MS * 3);
    expect(c.frames.length).toBe(before);
    await c.waitFor(
      (f, i = c.frames.indexOf(f)) => i >= before && f.eventBody.message === 'WebSocket Heartbeat',
    );
    c.ws.close();
  });

  it('expires channels: by the clock and by fault; socket closed, HEAD 404', async () => {
    const c = await openChannel([`v2.users.${agents[0]}.presence`]);
    sim.world.advance(TTL_MS + 1000);
    expect(await waitClosed(c)).toEqual({ code: expect.any(Number) });
    expect((await rest('HEAD', `/api/v2/notifications/channels/${c.channelId}`)).status).toBe(404);

    const d = await openChannel([`v2.users.${agents[0]}.presence`]);
    await sim.control('POST', '/__sim/faults', { kind: 'channel-expire', channelId: d.channelId });
    expect(await waitClosed(d)).toEqual({ code: expect.any(Number) });
    expect((await rest('HEAD', `/api/v2/notifications/channels/${d.channelId}`)).status).toBe(404);
  });
});

describe('delivery faults', () => {
  const withFault = async (fault: Record<string, unknown>, run: (c: Client) => Promise<void>) => {
    const [a, b] = agents as [string, string];
    const c = await openChannel([`v2.users.${a}.presence`, `v2.users.${b}.presence`]);
    const res = await sim.control('POST', '/__sim/faults', { kind: 'events', ...fault });
    expect(res.status).toBe(201);
    try {
      await run(c);
    } finally {
      await sim.control('DELETE', `/__sim/faults/${(res.body as { id: string }).id}`);
      c.ws.close();
    }
  };

  it('drops events of one agent', async () => {
    const [a, b] = agents as [string, string];
    await withFault({ mode: 'drop', topic: '.PRESENCE', agentId: a }, async (c) => {
      await patchPresence(a, MEAL);
      await patchPresence(b, MEAL);
      await c.waitFor((f) => f.topicName === `v2.users.${b}.presence`);
      await sleep(50);
      expect(c.events(a)).toEqual([]);
    });
  });

  it('delays events', async () => {
    const a = agents[0]!;
    await withFault({ mode: 'delay', agentId: a, delayMs: 300 }, async (c) => {
      const t0 = Date.now();
      await patchPresence(a, AVAILABLE);
      await c.waitFor((f) => f.topicName === `v2.users.${a}.presence`, 2000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    });
  });

  it('duplicates events with the same correlation id', async () => {
    const a = agents[0]!;
    await withFault({ mode: 'duplicate', agentId: a }, async (c) => {
      await patchPresence(a, BREAK);
      await c.waitFor(() => c.events(a).length >= 2);
      const [x, y] = c.events(a);
      expect(x?.metadata?.CorrelationId).toBe(y?.metadata?.CorrelationId);
    });
  });

  it('reorders events', async () => {
    const a = agents[0]!;
    await withFault({ mode: 'reorder', agentId: a, delayMs: 200 }, async (c) => {
      await patchPresence(a, AVAILABLE);
      await patchPresence(a, MEAL);
      await patchPresence(a, BREAK);
      await c.waitFor(() => c.events(a).length >= 3);
      const ids = c.events(a).map((f) => (f.eventBody.presenceDefinition as { id: string }).id);
      expect(ids).toEqual([BREAK, MEAL, AVAILABLE]);
    });
  });

  it('writes the garbage fault frames as they are (malformed JSON, unknown topic, schema violation)', async () => {
    const a = agents[0]!;
    const ch = (await rest('POST', '/api/v2/notifications/channels')).body as {
      id: string;
      connectUri: string;
    };
    await rest('PUT', `/api/v2/notifications/channels/${ch.id}/subscriptions`, [
      { id: `v2.users.${a}.presence` },
    ]);
    const ws = new WebSocket(ch.connectUri);
    const texts: string[] = [];
    ws.on('message', (data) => texts.push(data.toString()));
    await new Promise((resolve) => ws.once('open', resolve));
    const res = await sim.control('POST', '/__sim/faults', { kind: 'garbage', channelId: ch.id, agentId: a });
    expect(res.body).toMatchObject({ active: false, affected: 1 });
    const end = Date.now() + 2000;
    while (texts.filter((t) => !t.includes('channel.metadata')).length < 3 && Date.now() < end)
      await sleep(10);
    const garbage = texts.filter((t) => !t.includes('channel.metadata'));
    expect(garbage).toHaveLength(3);
    expect(() => JSON.parse(garbage[0]!)).toThrow();
    expect(JSON.parse(garbage[1]!)).toMatchObject({ topicName: 'v2.unknown.things.42' });
    expect(JSON.parse(garbage[2]!)).toMatchObject({
      topicName: `v2.users.${a}.presence`,
      eventBody: { presenceDefinition: 'not-an-object' },
    });
    ws.terminate();
  });
});
