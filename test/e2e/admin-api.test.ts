/**
 * The admin API against a running engine: the engine (in this process) tracks the simulator's agents and commits
 * them to a real redis-server; the admin API (built on the same Redis, requests injected) reads them through the
 * commit-time indexes, and its writes (rule overrides, resync, desired state) change what the running engine
 * does, without a restart.
 */
import { build, createRootLogger, loadConfig as loadApiConfig } from '@lockstep/admin-api';
import { pollUntil } from '@lockstep/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Stack, startStack } from '../support/stack.js';

const ADMIN = { authorization: 'Bearer e2e-bootstrap-admin-key-0123456789' };
const AGENT = 'agent-not-routable';

let stack: Stack;
let api: FastifyInstance;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('rules-world.json'),
    engineEnv: {
      LOCKSTEP_AGENTS: 'division:e2e-rules-division',
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
  await pollUntil(
    async () =>
      (await api.inject({ method: 'GET', url: `/v1/agents/${AGENT}`, headers: ADMIN })).statusCode === 200,
    { timeoutMs: 20_000, what: 'the engine to commit the agent', explain: () => stack.explain([AGENT]) },
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  await stack?.close();
});

const get = async (url: string) => {
  const res = await api.inject({ method: 'GET', url, headers: ADMIN });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
};

describe('admin API over a running engine', () => {
  it('reports the engine heartbeat and its Genesys channels, and lists the committed agents from the indexes', async () => {
    const ready = await api.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({
      ready: true,
      engines: [{ shard: 0, ok: true }],
      genesys: [{ shard: 0, ok: true, detail: expect.stringMatching(/^\d+ of \d+ channels connected$/) }],
    });
    expect(ready.json().genesys[0].channelsConnected).toBeGreaterThan(0);
    const available = await get('/v1/agents?presence=AVAILABLE&limit=500');
    expect(available.agents.map((a: { agentId: string }) => a.agentId)).toContain(AGENT);
  });

  it('a rule changed through PUT /v1/rules/{id} changes the running engine within seconds', async () => {
    const put = await api.inject({
      method: 'PUT',
      url: '/v1/rules/on-queue-not-routable',
      headers: ADMIN,
      payload: { severity: 'critical' },
    });
    expect(put.statusCode).toBe(200);
    // The engine polls the overrides every 2 s: give it that, plus margin for a loaded machine.
    await new Promise((r) => setTimeout(r, 4_000));
    await stack.act({ type: 'presence-routing-decouple', agentId: AGENT, enabled: true });
    await stack.act({ type: 'set-presence', agentId: AGENT, presence: 'On Queue' });
    const listed = await pollUntil(
      async () => {
        const body = await get('/v1/findings?rule=on-queue-not-routable');
        return body.findings.find((f: { agentId: string }) => f.agentId === AGENT);
      },
      { timeoutMs: 15_000, what: 'the finding', explain: () => stack.explain([AGENT]) },
    );
    // rules-policy.json leaves this rule at its default severity, warning: critical comes from the override.
    expect(listed).toMatchObject({ ruleId: 'on-queue-not-routable', severity: 'critical' });
    const byRule = await get('/v1/agents?rule=on-queue-not-routable&openFinding=true');
    expect(byRule.agents.map((a: { agentId: string }) => a.agentId)).toEqual([AGENT]);
    const agent = await get(`/v1/agents/${AGENT}`);
    expect(agent.findings[0]).toMatchObject({ severity: 'critical', facts: expect.any(Array) });
    expect(agent.signals.presence).toMatchObject({
      value: { system: 'ON_QUEUE' },
      source: expect.any(String),
    });
  });

  it('POST /v1/agents/{id}/resync makes the owning engine re-read the agent', async () => {
    const commanded = async () =>
      (await stack.runtime.engine.metrics.resyncs.get()).values.find((v) => v.labels.reason === 'command')
        ?.value ?? 0;
    expect(await commanded()).toBe(0);
    const res = await api.inject({ method: 'POST', url: `/v1/agents/${AGENT}/resync`, headers: ADMIN });
    expect(res.statusCode).toBe(202);
    await pollUntil(async () => (await commanded()) === 1, {
      timeoutMs: 10_000,
      what: 'the engine to re-read the agent on the command',
      explain: () => stack.explain([AGENT]),
    });
  });

  it('PUT /v1/agents/{id}/desired-state reaches the engine and the declaration shows on the agent', async () => {
    const res = await api.inject({
      method: 'PUT',
      url: `/v1/agents/${AGENT}/desired-state`,
      headers: ADMIN,
      payload: { presence: 'ON_QUEUE', source: 'external-wfm', reason: 'shift start' },
    });
    expect(res.statusCode).toBe(202);
    const desired = await pollUntil(
      async () => (await get(`/v1/agents/${AGENT}`)).desiredState ?? undefined,
      { timeoutMs: 10_000, what: 'the declaration on the agent', explain: () => stack.explain([AGENT]) },
    );
    expect(desired).toMatchObject({ presence: 'ON_QUEUE', source: 'external-wfm', outcome: 'applied' });
  });
});
