/**
 * The agent directory end to end: the engine (in this process, against the simulator and a real redis-server)
 * tracks the agents of two queues and keeps each one's name (from its user read) and queues in Redis; the admin
 * API lists them by name and filtered by queue from the indexes; the notifier puts the name in a signed
 * `finding.opened` and delivers it to the receiver subscribed to that agent's queue, not to another queue's. A
 * membership change (no state change) moves the agent between queue listings.
 */
import { build, createRootLogger, loadConfig as loadApiConfig } from '@lockstep/admin-api';
import type { NotifierRuntime } from '@lockstep/notifier';
import { pollUntil } from '@lockstep/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackNotifier, type SubscribedReceiver, subscribeReceiver } from '../support/alerts.js';
import { fixture, type Stack, startStack } from '../support/stack.js';

const ADMIN = { authorization: 'Bearer e2e-bootstrap-admin-key-0123456789' };
const WEST = ['west-1', 'west-2', 'west-3', 'west-4', 'west-5', 'west-6'];
const EAST = ['east-1', 'east-2', 'east-3', 'east-4', 'east-5', 'east-6'];

let stack: Stack;
let api: FastifyInstance;
let notifier: NotifierRuntime | undefined;
const receivers: SubscribedReceiver[] = [];

const get = async (url: string) => {
  const res = await api.inject({ method: 'GET', url, headers: ADMIN });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json<{ agents: Array<{ agentId: string; name: string | null }>; nextCursor: string | null }>();
};

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('incidents-world.json'),
    engineEnv: {
      LOCKSTEP_AGENTS: 'queue:inc-main,queue:inc-west',
      LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    },
  });
  api = await build({
    config: loadApiConfig({
      REDIS_URL: stack.redisServer.url,
      LOCKSTEP_KEY_PREFIX: 'e2e:',
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY: 'e2e-bootstrap-admin-key-0123456789',
    }),
    redis: stack.redis,
    logger: createRootLogger('silent'),
  });
  notifier = await startStackNotifier(stack);
  // Every agent is committed and named (its first REST read) within the directory's flush.
  await pollUntil(
    async () => {
      const page = await get('/v1/agents?sort=name&limit=500');
      return page.agents.length === 12 && page.agents.every((a) => a.name !== null);
    },
    {
      timeoutMs: 20_000,
      what: 'the 12 watched agents listed with their names',
      explain: () => stack.explain([...WEST, ...EAST]),
    },
  );
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  for (const r of receivers) await r.close();
  await api?.close();
  await stack?.close();
});

describe('the agent directory against the simulator', () => {
  it('the admin API lists the tracked agents by name and by queue', async () => {
    const byName = await get('/v1/agents?sort=name&limit=500');
    expect(byName.agents.map((a) => a.name)).toEqual([
      'East 1',
      'East 2',
      'East 3',
      'East 4',
      'East 5',
      'East 6',
      'West 1',
      'West 2',
      'West 3',
      'West 4',
      'West 5',
      'West 6',
    ]);
    const west = await get('/v1/agents?queue=inc-west&sort=name&limit=4');
    expect(west.agents.map((a) => a.agentId)).toEqual(WEST.slice(0, 4));
    const rest = await get(`/v1/agents?queue=inc-west&sort=name&limit=4&cursor=${west.nextCursor ?? ''}`);
    expect(rest).toEqual({
      agents: [expect.objectContaining({ agentId: 'west-5' }), expect.anything()],
      nextCursor: null,
    });
    expect(rest.agents[1]?.agentId).toBe('west-6');
    const main = await get('/v1/agents?queue=inc-main&limit=500');
    expect(main.agents.map((a) => a.agentId).sort()).toEqual([...EAST, ...WEST].sort());
    const one = await api.inject({ method: 'GET', url: '/v1/agents/west-2', headers: ADMIN });
    expect(one.json()).toMatchObject({
      agentId: 'west-2',
      name: 'West 2',
      memberships: { queueIds: ['inc-main', 'inc-west'] },
    });

    // A membership change is no state change: the tags follow it (discovery refresh) without a commit.
    const before = (await stack.reads.readAgent('west-6'))?.version;
    await stack.act({ type: 'remove-from-queue', agentId: 'west-6', queueId: 'inc-west' });
    await pollUntil(
      async () =>
        !(await get('/v1/agents?queue=inc-west&limit=500')).agents.some((a) => a.agentId === 'west-6'),
      { timeoutMs: 20_000, what: 'west-6 to leave the inc-west listing' },
    );
    expect((await get('/v1/agents?queue=inc-west&sort=name')).agents.map((a) => a.agentId)).toEqual(
      WEST.slice(0, 5),
    );
    expect((await get('/v1/agents?queue=inc-main&limit=500')).agents.map((a) => a.agentId)).toContain(
      'west-6',
    );
    const moved = await api.inject({ method: 'GET', url: '/v1/agents/west-6', headers: ADMIN });
    expect(moved.json()).toMatchObject({ name: 'West 6', memberships: { queueIds: ['inc-main'] } });
    expect(moved.json().version).toBe(before);
  });

  it("a finding.opened carries the agent's name, and reaches the queue's subscriber only", async () => {
    const westSub = await subscribeReceiver(stack, {
      queueIds: ['inc-west'],
      ruleIds: ['on-queue-without-station'],
    });
    const anyQueue = await subscribeReceiver(stack, { ruleIds: ['on-queue-without-station'] });
    receivers.push(westSub, anyQueue);
    await stack.act({ type: 'disassociate-station', agentId: 'east-3' });
    await stack.act({ type: 'disassociate-station', agentId: 'west-4' });
    await pollUntil(() => anyQueue.alerts.filter((a) => a.type === 'finding.opened').length >= 2, {
      timeoutMs: 20_000,
      what: 'both finding.opened alerts at the unfiltered receiver',
      explain: () => stack.explain(['east-3', 'west-4']),
    });
    const names = Object.fromEntries(anyQueue.alerts.map((a) => [a.data.agentId, a.data.agentName]));
    expect(names).toEqual({ 'east-3': 'East 3', 'west-4': 'West 4' });
    const westAlert = await pollUntil(() => westSub.alerts.find((a) => a.type === 'finding.opened'), {
      timeoutMs: 10_000,
      what: 'the west agent alert at the queue-filtered receiver',
    });
    expect(westAlert.data).toMatchObject({ agentId: 'west-4', agentName: 'West 4' });
    // The unfiltered receiver has both, so both were fanned out: the queue's subscriber got the west agent's
    // alert, and nothing else waits in its queue.
    expect(westSub.alerts.map((a) => a.data.agentId)).toEqual(['west-4']);
    expect(await westSub.queued()).toBe(0);
    expect([...westSub.rejected, ...anyQueue.rejected]).toEqual([]);
  });
});
