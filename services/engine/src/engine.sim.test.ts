import { connectRedis, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-commands.js';
import { loadConfig } from './config.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const SUPPORT = '4750048b-1994-41d4-8410-a5760c49a6cd';
const PREFIX = 'enginetest:';

interface Truth {
  id: string;
  name: string;
  presence: { systemPresence: string };
}

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let runtime: EngineRuntime;
let truth: Truth[];

const waitFor = (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) =>
  pollUntil(check, { timeoutMs, what });

beforeAll(async () => {
  [sim, server] = await Promise.all([startSim({ scenario: 'calm-day' }), startRedis()]);
  redis = connectRedis(server.url);
  truth = await sim.control<Truth[]>('GET', '/__sim/agents');
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: `queue:${SUPPORT}`,
    LOCKSTEP_KEY_PREFIX: PREFIX,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
  });
  runtime = await startEngineRuntime(config, pino({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

describe('engine against the simulator', () => {
  it('tracks the selected agents and resyncs each of them into Redis at start', async () => {
    // calm-day puts its "Support Agent" group (and only it) on the Support queue.
    const expected = truth.filter((a) => a.name.startsWith('Support Agent')).map((a) => a.id);
    expect(expected.length).toBeGreaterThan(0);
    const reads = createReads({ redis, keys: createKeys(PREFIX) });
    const agents = [...runtime.engine.agents()];
    expect(agents.sort()).toEqual(expected.sort());
    await waitFor(
      async () => (await Promise.all(agents.map((a) => reads.readAgent(a)))).every((r) => r !== null),
      15_000,
      'every agent committed',
    );
    const first = await reads.readAgent(agents[0] as string);
    expect(first?.signals).toMatchObject({ presence: { value: { system: expect.any(String) } } });
    expect(runtime.engine.health()).toMatchObject({ ok: true, leader: true });
  });

  it('carries a presence change made in the simulator into Redis', async () => {
    const reads = createReads({ redis, keys: createKeys(PREFIX) });
    const agentId = [...runtime.engine.agents()][0] as string;
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Meeting' });
    await waitFor(
      async () => {
        const signals = (await reads.readAgent(agentId))?.signals as {
          presence?: { value: { system: string } };
        };
        return signals?.presence?.value.system === 'MEETING';
      },
      10_000,
      'presence MEETING in Redis',
    );
    const history = await reads.readHistory(agentId, { count: 50 });
    expect(history.map((h) => h.cause)).toContain('event');
    expect(history.map((h) => h.cause)).toContain('resync');
  });

  it('serves Prometheus metrics and health', async () => {
    const base = `http://127.0.0.1:${runtime.metricsServer.port()}`;
    const agentId = [...runtime.engine.agents()][5] as string;
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Break' });
    let text = '';
    await waitFor(
      async () => {
        text = await (await fetch(`${base}/metrics`)).text();
        return /lockstep_events_received_total\{kind="presence"\} [1-9]/.test(text);
      },
      10_000,
      'a presence event counted',
    );
    expect(text).toMatch(/lockstep_tracked_agents \d+/);
    expect(text).toMatch(/lockstep_resyncs_total\{reason="start"\}/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, leader: true });
  });

  it('prints an agent as JSON through the CLI, and refuses unknown agents and bad usage', async () => {
    // Its own agent and state: this test does not rely on what an earlier test did.
    const reads = createReads({ redis, keys: createKeys(PREFIX) });
    const agentId = [...runtime.engine.agents()][4] as string;
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Training' });
    await waitFor(
      async () =>
        ((await reads.readAgent(agentId))?.signals as { presence?: { value: { system: string } } })?.presence
          ?.value.system === 'TRAINING',
      10_000,
      'presence TRAINING in Redis',
    );
    const env = { REDIS_URL: server.url, LOCKSTEP_KEY_PREFIX: PREFIX };
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t) };
    expect(await runCli(['agent', agentId], env, io)).toBe(0);
    const view = JSON.parse(out) as Record<string, unknown>;
    expect(view).toMatchObject({
      agentId,
      machine: { status: expect.any(String), health: expect.any(String) },
      signals: {
        presence: { value: { system: 'TRAINING' }, at: expect.any(Number), atIso: expect.any(String) },
      },
      findings: expect.any(Array),
    });
    expect(await runCli(['agent', 'no-such-agent'], env, io)).toBe(1);
    expect(err).toContain('unknown agent');
    expect(await runCli(['frobnicate'], env, io)).toBe(2);
    expect(err).toContain('usage:');
    out = '';
    expect(await runCli(['findings'], env, io)).toBe(0);
    expect(Array.isArray(JSON.parse(out))).toBe(true);
  });

  it('takes a declared state from the CLI through the command stream into the agent machine', async () => {
    const reads = createReads({ redis, keys: createKeys(PREFIX) });
    const agentId = [...runtime.engine.agents()][1] as string;
    const env = { REDIS_URL: server.url, LOCKSTEP_KEY_PREFIX: PREFIX };
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t) };
    expect(
      await runCli(['declare', agentId, '--presence', 'On Queue', '--by', 'external-wfm'], env, io),
    ).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      sent: 'declare',
      agentId,
      presence: 'ON_QUEUE',
      by: 'external-wfm',
    });
    await waitFor(
      async () => {
        const machine = (await reads.readAgent(agentId))?.machine as {
          context?: { declared?: { presence?: string; by?: string } | null };
        } | null;
        return machine?.context?.declared?.by === 'external-wfm';
      },
      10_000,
      'the declaration in the agent snapshot',
    );
    expect(await runCli(['declare', agentId, '--presence', 'Lunch', '--by', 'x'], env, io)).toBe(2);
    expect(err).toContain('not a system presence');
    expect(await runCli(['declare', agentId, '--presence', 'ON_QUEUE'], env, io)).toBe(2);
  });

  it('counts malformed, unknown and invalid frames by reason, touches no state and keeps going', async () => {
    const reads = createReads({ redis, keys: createKeys(PREFIX) });
    const agentId = [...runtime.engine.agents()][2] as string;
    const before = await reads.readAgent(agentId);
    const base = `http://127.0.0.1:${runtime.metricsServer.port()}`;
    const errors = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const count = (reason: string) =>
        Number(
          new RegExp(`lockstep_decode_errors_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
        );
      return { json: count('malformed-json'), topic: count('unknown-topic'), schema: count('schema') };
    };
    const start = await errors();
    await sim.control('POST', '/__sim/faults', { kind: 'garbage', agentId });
    await waitFor(
      async () => {
        const now = await errors();
        return now.json > start.json && now.topic > start.topic && now.schema > start.schema;
      },
      5_000,
      'one decode error of each reason',
    );
    await runtime.engine.idle();
    // Calls may move other signals meanwhile; the garbage carried a presence for this agent, which must not land.
    const presenceOf = (r: typeof before) => (r?.signals as { presence?: unknown } | undefined)?.presence;
    expect(presenceOf(await reads.readAgent(agentId))).toEqual(presenceOf(before));
    expect(runtime.engine.health().ok).toBe(true);
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Training' });
    await waitFor(
      async () =>
        ((await reads.readAgent(agentId))?.signals as { presence?: { value: { system: string } } })?.presence
          ?.value.system === 'TRAINING',
      10_000,
      'presence TRAINING after the garbage',
    );
  });

  it('follows queue membership live: a removed agent is dropped, a new member is tracked and resynced', async () => {
    const reads = createReads({ redis, keys: createKeys(PREFIX) });
    const leaving = [...runtime.engine.agents()][3] as string;
    const joining = truth.find((a) => !runtime.engine.agents().has(a.id))?.id as string;
    expect(joining).toEqual(expect.any(String));
    await sim.control('POST', '/__sim/actions', {
      type: 'remove-from-queue',
      agentId: leaving,
      queueId: SUPPORT,
    });
    await sim.control('POST', '/__sim/actions', { type: 'join-queue', agentId: joining, queueId: SUPPORT });
    await waitFor(
      () => !runtime.engine.agents().has(leaving) && runtime.engine.agents().has(joining),
      10_000,
      'the membership change to reach the engine',
    );
    await waitFor(async () => (await reads.readAgent(joining)) !== null, 10_000, 'the new member in Redis');
    // The removed agent's notifications are unsubscribed: its next change never reaches Redis.
    const before = (await reads.readAgent(leaving))?.version;
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId: leaving, presence: 'Away' });
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId: joining, presence: 'Away' });
    await waitFor(
      async () =>
        ((await reads.readAgent(joining))?.signals as { presence?: { value: { system: string } } })?.presence
          ?.value.system === 'AWAY',
      10_000,
      'the new member to be followed',
    );
    await runtime.engine.idle();
    expect((await reads.readAgent(leaving))?.version).toBe(before);
  });
});
