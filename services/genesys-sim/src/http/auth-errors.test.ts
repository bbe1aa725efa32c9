import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

const api = platformClient.ApiClient.instance;
let sim: InProcessSim;

beforeAll(async () => {
  sim = await startInProcessSim({
    config: { rateLimitPerMinute: 5 },
    extraClients: [{ clientId: 'short', clientSecret: 'short-secret', tokenLifetimeSec: 60 }],
  });
  api.setGateway({ host: '127.0.0.1', protocol: 'http', port: sim.port });
});
afterAll(async () => {
  await sim?.close();
});

const get = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${sim.baseUrl}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });

describe('OAuth', () => {
  it('issues a bearer token to the SDK and rejects a bad client with invalid_client', async () => {
    const c = sim.clients[0]!;
    const auth = await api.loginClientCredentialsGrant(c.clientId, c.clientSecret);
    expect(auth.accessToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await expect(api.loginClientCredentialsGrant(c.clientId, 'wrong')).rejects.toMatchObject({ status: 401 });
    const bad = await fetch(`${sim.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:wrong`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: 'invalid_client',
      description: expect.any(String),
      error_description: expect.any(String),
    });
    const res = await fetch(`${sim.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(await res.json()).toMatchObject({ token_type: 'bearer', expires_in: c.tokenLifetimeSec });
  });

  it('401s a missing, unknown, expired or revoked token', async () => {
    const missing = await get('/api/v2/users');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'authentication.required' });
    expect((await get('/api/v2/users', 'nope')).status).toBe(401);

    const short = await sim.token(sim.clients.find((c) => c.clientId === 'short'));
    expect((await get('/api/v2/tokens/me', short)).status).toBe(200);
    sim.clock.now += 61_000;
    const expired = await get('/api/v2/tokens/me', short);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'bad.credentials' });

    const t1 = await sim.token();
    expect((await get('/api/v2/tokens/me', t1, { method: 'DELETE' })).status).toBe(204);
    expect((await get('/api/v2/tokens/me', t1, { method: 'HEAD' })).status).toBe(401);

    const t2 = await sim.token();
    const fault = await sim.control('POST', '/__sim/faults', {
      kind: 'token-revoke',
      clientId: sim.clients[0]!.clientId,
    });
    expect(fault.status).toBe(201);
    expect((fault.body as { affected: number }).affected).toBeGreaterThan(0);
    expect((await get('/api/v2/tokens/me', t2)).status).toBe(401);
  });

  it('describes the token on GET /api/v2/tokens/me', async () => {
    const t = await sim.token();
    const res = await get('/api/v2/tokens/me', t);
    expect(await res.json()).toMatchObject({ OAuthClient: { id: sim.clients[0]!.clientId } });
  });
});

describe('errors', () => {
  it('answers ErrorBodies for unknown routes, wrong methods, bad JSON, media types and sizes', async () => {
    const t = await sim.token();
    const user = sim.world.groundTruth()[0]!.id;
    const shape = {
      message: expect.any(String),
      code: expect.any(String),
      status: expect.any(Number),
      messageWithParams: expect.any(String),
      messageParams: expect.any(Object),
      contextId: expect.any(String),
      details: [],
      errors: [],
    };
    const r404 = await get('/api/v2/nothing/here', t);
    expect(r404.status).toBe(404);
    expect(r404.headers.get('inin-correlation-id')).toBeTruthy();
    const b404 = (await r404.json()) as { contextId: string };
    expect(b404).toMatchObject({ ...shape, code: 'not.found' });
    expect(b404.contextId).toBe(r404.headers.get('inin-correlation-id'));

    const r405 = await get(`/api/v2/users/${user}/routingstatus`, t, { method: 'POST' });
    expect(r405.status).toBe(405);
    expect(await r405.json()).toMatchObject(shape);

    const bad = await get(`/api/v2/users/${user}/presences/purecloud`, t, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"presenceDefinition":',
    });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(badBody).toMatchObject({ ...shape, code: 'bad.request' });
    expect(JSON.stringify(badBody)).not.toMatch(/at .*\.(ts|js):\d+/);

    const media = await get(`/api/v2/users/${user}/routingstatus`, t, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'IDLE',
    });
    expect(media.status).toBe(415);
    expect(await media.json()).toMatchObject({ code: 'unsupported.media.type' });

    const big = await get(`/api/v2/users/presences/bulk`, t, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ id: 'x', message: 'y'.repeat(520_000) }]),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'request.entity.too.large' });
  });

  it('rate-limits per token with 429, Retry-After and inin-ratelimit headers', async () => {
    const t = await sim.token();
    const statuses: number[] = [];
    const responses: Response[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await get('/api/v2/presencedefinitions', t);
      responses.push(response);
      statuses.push(response.status);
    }
    const first = responses[0]!;
    const last = responses.at(-1);
    expect(first.headers.get('inin-ratelimit-count')).toBe('1');
    expect(first.headers.get('inin-ratelimit-allowed')).toBe('5');
    expect(Number(first.headers.get('inin-ratelimit-reset'))).toBeGreaterThan(0);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ code: 'too.many.requests', status: 429 });
    sim.clock.now += 61_000;
    expect((await get('/api/v2/presencedefinitions', t)).status).toBe(200);
  });

  it('applies rate-limit-storm and server-errors faults to /api/v2 only', async () => {
    sim.clock.now += 61_000;
    const t = await sim.token();
    const storm = await sim.control('POST', '/__sim/faults', { kind: 'rate-limit-storm', retryAfterSec: 7 });
    const r = await get('/api/v2/presencedefinitions', t);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    // OAuth is not an /api/v2 route.
    await sim.token();
    const id = (storm.body as { id: string }).id;
    expect((await sim.control('DELETE', `/__sim/faults/${id}`)).status).toBe(204);
    expect((await get('/api/v2/presencedefinitions', t)).status).toBe(200);

    sim.clock.now += 61_000;
    const errs = await sim.control('POST', '/__sim/faults', {
      kind: 'server-errors',
      status: 502,
      probability: 1,
    });
    const e = await get('/api/v2/presencedefinitions', t);
    expect(e.status).toBe(502);
    expect(await e.json()).toMatchObject({ status: 502, code: 'bad.gateway' });
    await sim.control('DELETE', `/__sim/faults/${(errs.body as { id: string }).id}`);
    expect((await get('/api/v2/presencedefinitions', t)).status).toBe(200);
  });
});
