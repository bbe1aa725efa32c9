import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRESENCE_IDS } from '../world/presence-definitions.js';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

let sim: InProcessSim;
let token: string;
let agentId: string;

beforeAll(async () => {
  sim = await startInProcessSim();
  token = await sim.token();
  agentId = sim.world.groundTruth()[0]!.id;
});
afterAll(async () => {
  await sim?.close();
});

const ERROR_BODY = {
  message: expect.any(String),
  code: expect.any(String),
  status: expect.any(Number),
  messageWithParams: expect.any(String),
  messageParams: expect.any(Object),
  contextId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  details: [],
  errors: [],
};

/** Asserts an ErrorBody of `status` whose `contextId` is the `inin-correlation-id` header. */
async function expectErrorBody(
  res: Response,
  status: number,
  code?: string,
): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ ...ERROR_BODY, status, ...(code ? { code } : {}) });
  expect(res.headers.get('inin-correlation-id')).toBe(body.contextId);
  return body;
}

/** Sends raw bytes and returns the raw answer (the socket is closed by the server or after 3 s). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(sim.port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (b: Buffer) => {
      out += b.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('error', reject);
  });
}

/** Parses a raw HTTP/1.1 answer into status, lower-cased headers and JSON body. */
function parseRaw(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

const control = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sim-control', 'content-type': contentType },
    body,
  });

describe('hostile requests', () => {
  it('answers a 200,000-deep nested JSON body with 400, not 500', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const res = await fetch(`${sim.baseUrl}/api/v2/users/${agentId}/presences/purecloud`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `{"presenceDefinition":{"id":${deep}}}`,
    });
    const body = await expectErrorBody(res, 400, 'bad.request');
    expect(body.message).toMatch(/nest/i);
    const ctl = await control('/__sim/actions', `{"type":"set-presence","agentId":"x","presence":${deep}}`);
    await expectErrorBody(ctl, 400, 'bad.request');
  });

  it('answers an over-long URL with an ErrorBody', async () => {
    const res = await fetch(`${sim.baseUrl}/api/v2/users/${'a'.repeat(100_000)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await expectErrorBody(res, 431);
  });

  it('answers bad percent-encoding with a 400 ErrorBody', async () => {
    const res = await fetch(`${sim.baseUrl}/api/v2/users/%E0%A4%A`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await expectErrorBody(res, 400, 'bad.request');
  });

  it.each([
    ['a bad method', 'GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a bad Content-Length', 'POST /api/v2/users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    ['a bad request line', 'this is not http\r\n\r\n'],
  ])('answers a protocol error (%s) with a 400 ErrorBody', async (_name, bytes) => {
    const res = parseRaw(await raw(bytes));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ...ERROR_BODY, status: 400, code: 'bad.request' });
    expect(res.headers['inin-correlation-id']).toBe((res.body as { contextId: string }).contextId);
  });

  it('refuses JSON in a charset other than UTF-8 with 415 and changes nothing', async () => {
    const presence = () => sim.world.groundTruth().find((a) => a.id === agentId)!.presence.systemPresence;
    const before = presence();
    const target = before === 'Busy' ? 'Away' : 'Busy';
    const action = JSON.stringify({ type: 'set-presence', agentId, presence: target });
    await expectErrorBody(
      await control('/__sim/actions', action, 'application/json; charset=utf-16'),
      415,
      'unsupported.media.type',
    );
    const res = await fetch(`${sim.baseUrl}/api/v2/users/${agentId}/presences/purecloud`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-16LE' },
      body: JSON.stringify({ presenceDefinition: { id: SYSTEM_PRESENCE_IDS[target] } }),
    });
    await expectErrorBody(res, 415, 'unsupported.media.type');
    expect(presence()).toBe(before);
    // UTF-8, spelled in any case and quoted, is still JSON.
    const ok = await control('/__sim/actions', action, 'application/json; charset="UTF-8"');
    expect(ok.status).toBe(200);
    expect(presence()).toBe(target);
  });

  it('refuses a firehose beyond its bound with a clear 400 and keeps answering', async () => {
    const res = await control('/__sim/actions', '{"type":"firehose","eventsPerSecond":1e12}');
    const body = await expectErrorBody(res, 400, 'bad.request');
    expect(body.message).toContain('eventsPerSecond');
    expect(body.message).toContain('150000');
    expect((await control('/__sim/actions', '{"type":"firehose","eventsPerSecond":-1}')).status).toBe(400);
    const agents = await fetch(`${sim.baseUrl}/__sim/agents`, {
      headers: { authorization: 'Bearer sim-control' },
    });
    expect(agents.status).toBe(200);
  });

  it('refuses an impossible calendar date in a control action', async () => {
    const [a, b] = sim.world.groundTruth();
    const res = await control(
      '/__sim/actions',
      JSON.stringify({ type: 'swap-shifts', agentIdA: a!.id, agentIdB: b!.id, date: '2024-02-30' }),
    );
    const body = await expectErrorBody(res, 400, 'bad.request');
    expect(body.message).toContain('date');
    expect(body.message).toContain('2024-02-30');
  });
});
