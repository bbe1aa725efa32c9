import { type AgentProfileDoc, createAgentProfiles } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOOTSTRAP, bearer, type Fixture, seedAgent, startFixture } from './testing/fixture.js';

let server: RedisServer;
let f: Fixture;
let profiles: ReturnType<typeof createAgentProfiles>;

const profile = (agentId: string, name: string | null, extra: Partial<AgentProfileDoc> = {}) => ({
  agentId,
  name,
  queueIds: ['sales'],
  divisionId: 'emea',
  managementUnitId: null,
  updatedAt: 1_700_000_000_000,
  ...extra,
});

beforeAll(async () => {
  server = await startRedis();
  f = await startFixture(server);
  profiles = createAgentProfiles({ redis: f.redis, keys: f.keys });
  // Committed as the engine commits (no tags): memberships come from the directory alone.
  for (const id of ['u1', 'u2', 'u3', 'u4', 'u5']) await seedAgent(f.store, id, { presence: 'ON_QUEUE' });
  await profiles.write([
    profile('u1', 'Zoë Quinn', { queueIds: ['sales', 'support'], managementUnitId: 'mu-east' }),
    profile('u2', 'ada byron'),
    profile('u3', 'Ada Lovelace', { queueIds: ['support'], divisionId: 'amer' }),
    profile('u4', null),
  ]);
  // u5 is committed but not watched: no profile.
});
afterAll(async () => {
  await f?.close();
  await server?.stop();
});

const admin = bearer(BOOTSTRAP);
const get = (url: string) => f.app.inject({ method: 'GET', url, headers: admin });
const agentIds = (body: { agents: { agentId: string }[] }) => body.agents.map((a) => a.agentId);

async function walk(query: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const res = await get(`/v1/agents?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ agents: { agentId: string }[]; nextCursor: string | null }>();
    seen.push(...agentIds(body));
    if (body.nextCursor === null) return seen;
    cursor = body.nextCursor;
  }
  throw new Error('too many pages');
}

describe('agents from the directory', () => {
  test('sort=name lists the watched agents by name, unnamed last, stable across pages', async () => {
    const all = await walk('sort=name', 100);
    expect(all).toEqual(['u2', 'u3', 'u1', 'u4']);
    expect(await walk('sort=name', 1)).toEqual(all);
    expect(await walk('sort=name&queue=support', 1)).toEqual(['u3', 'u1']);
  });

  test('queue, mu and division filters are answered from the membership tags', async () => {
    expect(agentIds((await get('/v1/agents?queue=sales')).json())).toEqual(['u1', 'u2', 'u4']);
    expect(agentIds((await get('/v1/agents?queue=support&division=emea')).json())).toEqual(['u1']);
    expect(agentIds((await get('/v1/agents?mu=mu-east&presence=ON_QUEUE')).json())).toEqual(['u1']);
    expect(agentIds((await get('/v1/agents?division=amer&sort=timeInState')).json())).toEqual(['u3']);
    expect(agentIds((await get('/v1/agents?queue=nobody')).json())).toEqual([]);
  });

  test('items and GET /v1/agents/{id} carry the name and the memberships', async () => {
    const list = (await get('/v1/agents?queue=support&sort=name')).json();
    expect(list.agents[1]).toMatchObject({
      agentId: 'u1',
      name: 'Zoë Quinn',
      memberships: {
        queueIds: ['sales', 'support'],
        divisionId: 'emea',
        managementUnitId: 'mu-east',
        updatedAt: '2023-11-14T22:13:20.000Z',
      },
      presence: 'ON_QUEUE',
    });
    const one = await get('/v1/agents/u3');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      agentId: 'u3',
      name: 'Ada Lovelace',
      memberships: { queueIds: ['support'], divisionId: 'amer', managementUnitId: null },
    });
    const unwatched = (await get('/v1/agents/u5')).json();
    expect(unwatched).toMatchObject({ agentId: 'u5', name: null, memberships: null });
  });

  test('a membership change without a commit moves the agent between filters', async () => {
    await profiles.write([profile('u2', 'ada byron', { queueIds: ['support'] })]);
    expect(agentIds((await get('/v1/agents?queue=sales')).json())).toEqual(['u1', 'u4']);
    expect(agentIds((await get('/v1/agents?queue=support')).json())).toEqual(['u1', 'u2', 'u3']);
    await profiles.write([profile('u2', 'ada byron')]);
    expect(agentIds((await get('/v1/agents?queue=sales')).json())).toEqual(['u1', 'u2', 'u4']);
  });

  test('a bad sort, filter or cursor is a 400 problem listing the problem', async () => {
    const idCursor = (await get('/v1/agents?limit=1')).json().nextCursor as string;
    for (const [q, where] of [
      ['sort=nickname', 'querystring/sort'],
      ['sort=name&queue=a%7Bb', 'querystring/queue'],
      ['sort=name&division=', 'querystring/division'],
      [`sort=name&cursor=${idCursor}`, 'querystring/cursor'],
    ] as const) {
      const res = await get(`/v1/agents?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type'], q).toMatch(/^application\/problem\+json/);
      const body = res.json<{ code: string; errors: { location: string }[] }>();
      expect(body.code, q).toBe('VALIDATION_FAILED');
      expect(
        body.errors.map((e) => e.location),
        q,
      ).toContain(where);
    }
  });
});
