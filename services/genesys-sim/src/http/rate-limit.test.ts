import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.js';
import { createSettings } from './settings.js';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

let sim: InProcessSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const limited = { clientId: 'limited', clientSecret: 'limited-secret', rateLimitPerMinute: 5 };

async function start(config: Parameters<typeof startInProcessSim>[0] = {}): Promise<InProcessSim> {
  sim = await startInProcessSim({ extraClients: [limited], ...config });
  return sim;
}

const get = (s: InProcessSim, token: string) =>
  fetch(`${s.baseUrl}/api/v2/users?pageSize=1`, { headers: { authorization: `Bearer ${token}` } });

const headers = (res: Response) => ({
  count: res.headers.get('inin-ratelimit-count'),
  allowed: res.headers.get('inin-ratelimit-allowed'),
  reset: res.headers.get('inin-ratelimit-reset'),
});

describe('per-client rate limit', () => {
  it('counts every token of a client against the scenario limit and answers 429 past it', async () => {
    const s = await start();
    const client = s.clients.find((c) => c.clientId === 'limited')!;
    const [a, b] = [await s.token(client), await s.token(client)];
    const statuses: number[] = [];
    for (const token of [a, a, a, b, b]) statuses.push((await get(s, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const refused = await get(s, a);
    expect(refused.status).toBe(429);
    expect(headers(refused)).toEqual({ count: '6', allowed: '5', reset: '60' });
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toMatchObject({
      status: 429,
      code: 'too.many.requests',
      messageParams: { limit: '5', seconds: '60' },
      limit: { namespace: 'platform.api', key: 'client.rate.per.minute', value: 5 },
      contextId: refused.headers.get('inin-correlation-id'),
    });
    // Another client is not affected.
    expect((await get(s, await s.token())).status).toBe(200);

    s.clock.now += 30_000;
    const later = await get(s, b);
    expect(later.status).toBe(429);
    expect(later.headers.get('retry-after')).toBe('30');
    s.clock.now += 30_000;
    expect((await get(s, b)).status).toBe(200);
  });

  it('shows the window with fewer requests left in the headers', async () => {
    const s = await start({ config: { rateLimitPerMinute: 3 } });
    const client = s.clients.find((c) => c.clientId === 'limited')!;
    const token = await s.token(client);
    // Token limit 3, client limit 5.
    expect(headers(await get(s, token))).toEqual({ count: '1', allowed: '3', reset: '60' }); // token: 2 left, client: 4
    const other = await s.token(client);
    const otherHeaders = [];
    for (let i = 0; i < 3; i++) otherHeaders.push(headers(await get(s, other)));
    // `other`'s token window runs out first (0 left, client 1 left).
    expect(otherHeaders.at(-1)).toMatchObject({ count: '3', allowed: '3' });
    // Now the client's window has fewer left (0) than `token`'s (1).
    expect(headers(await get(s, token))).toMatchObject({ count: '5', allowed: '5' });
    const clientRefused = await get(s, token);
    expect(clientRefused.status).toBe(429);
    expect(await clientRefused.json()).toMatchObject({ limit: { key: 'client.rate.per.minute', value: 5 } });

    // A client without a client limit is refused by its token's window.
    const demo = await s.token();
    for (let i = 0; i < 3; i++) expect((await get(s, demo)).status).toBe(200);
    const tokenRefused = await get(s, demo);
    expect(tokenRefused.status).toBe(429);
    expect(await tokenRefused.json()).toMatchObject({ limit: { key: 'token.rate.per.minute', value: 3 } });
  });

  it('is set, removed and reset through the control API', async () => {
    const s = await start();
    const demo = s.clients[0]!.clientId;
    expect((await s.control('GET', '/__sim/settings')).body).toEqual({
      tokenRateLimitPerMinute: 300,
      clientRateLimits: expect.objectContaining({ [demo]: null, limited: 5 }),
      scheduleSearchAnswer: 'sync',
      logReads: false,
    });
    const set = await s.control('PATCH', '/__sim/settings', { clientRateLimits: { [demo]: 2 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ clientRateLimits: { [demo]: 2 } });
    const token = await s.token();
    expect([
      (await get(s, token)).status,
      (await get(s, token)).status,
      (await get(s, token)).status,
    ]).toEqual([200, 200, 429]);
    await s.control('PATCH', '/__sim/settings', { clientRateLimits: { [demo]: null } });
    expect((await get(s, token)).status).toBe(200);

    await s.control('PATCH', '/__sim/settings', { tokenRateLimitPerMinute: 4 });
    expect((await get(s, token)).status).toBe(429); // 5th request of this token's window
    await s.control('PATCH', '/__sim/settings', { resetRateWindows: true });
    expect((await get(s, token)).status).toBe(200);

    const bad = await s.control('PATCH', '/__sim/settings', {
      clientRateLimits: { nobody: 3 },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toContain('nobody');
    for (const body of [
      { tokenRateLimitPerMinute: 0 },
      { clientRateLimits: { [demo]: 1.5 } },
      { colour: 'red' },
    ]) {
      expect((await s.control('PATCH', '/__sim/settings', body)).status).toBe(400);
    }
  });
});

describe('settings precedence', () => {
  it('takes a flag over the scenario, and the scenario over the default', () => {
    const world = {
      oauthClients: [
        { clientId: 'a', clientSecret: 's', tokenLifetimeSec: 60, permissions: [], rateLimitPerMinute: 7 },
        { clientId: 'b', clientSecret: 's', tokenLifetimeSec: 60, permissions: [] },
      ],
      scheduleSearchAnswer: 'download' as const,
    };
    const fromScenario = createSettings(defaultConfig(), world as never).view();
    expect(fromScenario).toEqual({
      tokenRateLimitPerMinute: 300,
      clientRateLimits: { a: 7, b: null },
      scheduleSearchAnswer: 'download',
      logReads: false,
    });
    const fromFlags = createSettings(
      defaultConfig({ clientRateLimitPerMinute: 300, scheduleSearchAnswer: 'sync' }),
      world as never,
    ).view();
    expect(fromFlags).toEqual({
      tokenRateLimitPerMinute: 300,
      clientRateLimits: { a: 300, b: 300 },
      scheduleSearchAnswer: 'sync',
      logReads: false,
    });
  });
});

describe('bulk presence write', () => {
  const BREAK = '227b37e2-f1d0-4dd0-8f50-badd7cf6d158';
  const put = (s: InProcessSim, token: string, body: unknown) =>
    fetch(`${s.baseUrl}/api/v2/users/presences/bulk`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('costs one request of the rate limit whatever its size, and answers one presence per item in order', async () => {
    const s = await start();
    const client = s.clients.find((c) => c.clientId === 'limited')!;
    const token = await s.token(client);
    const ids = s.world
      .groundTruth()
      .slice(0, 3)
      .map((a) => a.id);
    expect(ids).toHaveLength(3);
    expect(headers(await get(s, token)).count).toBe('1');
    const res = await put(
      s,
      token,
      ids.map((id) => ({ id, presenceDefinition: { id: BREAK }, source: 'PURECLOUD' })),
    );
    expect(res.status).toBe(200);
    expect(headers(res).count).toBe('2');
    expect(res.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const items = (await res.json()) as Array<{ user: { id: string }; presenceDefinition: { id: string } }>;
    expect(items.map((i) => i.user.id)).toEqual(ids);
    expect(items.map((i) => i.presenceDefinition.id)).toEqual([BREAK, BREAK, BREAK]);
    for (const id of ids) {
      expect(s.world.groundTruth().find((a) => a.id === id)?.presence.systemPresence).toBe('Break');
    }
    expect(headers(await get(s, token)).count).toBe('3');
  });

  it('refuses more items than platform.presenceBulkMax with 400, changing nobody', async () => {
    const s = await start();
    const id = s.world.groundTruth()[0]!.id;
    const before = s.world.groundTruth()[0]!.presence.systemPresence;
    expect(before).not.toBe('Break');
    const items = Array.from({ length: 51 }, () => ({ id, presenceDefinition: { id: BREAK } }));
    const res = await put(s, await s.token(), items);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'invalid.value',
      messageParams: { max: '50', count: '51' },
    });
    expect(s.world.groundTruth()[0]!.presence.systemPresence).toBe(before);
  });
});
