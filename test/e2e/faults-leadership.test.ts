/**
 * Leadership faults with real engine processes: an engine killed and restarted, a standby taking over from a
 * killed leader, and a leader paused past its lease (SIGSTOP) then resumed. After each fault, every agent's
 * state in Redis equals the simulator's ground truth within 10 s and no finding is lost; a paused engine whose
 * lease lapsed writes nothing when it resumes.
 */
import {
  connectRedis,
  createKeys,
  createLeases,
  createReads,
  type FindingDoc,
  type Reads,
  type RedisClient,
} from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EngineProcess, startEngineProcess } from '../support/engine-process.js';
import { fixture } from '../support/stack.js';
import {
  type AgentTruth,
  describeViews,
  engineView,
  openFindings,
  sameView,
  truthView,
} from '../support/views.js';

const AGENTS = Array.from({ length: 10 }, (_, i) => `fault-agent-${String(i + 1).padStart(2, '0')}`);
/** Agents whose stations the suite takes away (On Queue without a station: a finding after 2 s). */
const WATCHED = AGENTS.slice(0, 3);
/** Agents whose presence the suite moves around. */
const MOVERS = AGENTS.slice(3);
const PRESENCES = ['Available', 'Break', 'Meeting', 'Away', 'On Queue'] as const;
const CONVERGE_MS = 10_000;
/** The engine's default lease TTL (`LOCKSTEP_LEASE_TTL_MS`): the suite runs the engines with their defaults. */
const LEASE_TTL_MS = 15_000;
const PREFIX = 'leadership:';
const LEASE = 'engine:shard:0';

let sim: SimProcess;
let redisServer: RedisServer;
let redis: RedisClient;
let reads: Reads;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  [sim, redisServer] = await Promise.all([
    startSim({ scenario: fixture('faults-world.json'), args: ['--heartbeat-ms', '300'] }),
    startRedis(),
  ]);
  redis = connectRedis(redisServer.url);
  reads = createReads({ redis, keys: createKeys(PREFIX) });
}, 60_000);

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  // The next case starts with the shard lease free and the world calm.
  await redis.del(createKeys(PREFIX).lease(LEASE));
  await act({ type: 'firehose', eventsPerSecond: 0 });
});

afterAll(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  await redis?.quit();
  await Promise.all([sim?.stop(), redisServer?.stop()]);
});

/** Starts an engine process; `instanceId` undefined leaves the default (the host name). */
async function engine(instanceId?: string): Promise<EngineProcess> {
  const env: Record<string, string> = {
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: redisServer.url,
    LOCKSTEP_KEY_PREFIX: PREFIX,
    LOCKSTEP_AGENTS: 'division:e2e-faults-division',
    LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    LOCKSTEP_MAX_CHANNELS: '2',
  };
  if (instanceId !== undefined) env.LOCKSTEP_INSTANCE_ID = instanceId;
  const started = await startEngineProcess(env);
  engines.push(started);
  return started;
}

function act(action: Record<string, unknown>): Promise<unknown> {
  return sim.control('POST', '/__sim/actions', action);
}

async function truth(): Promise<Map<string, AgentTruth>> {
  const all = await sim.control<AgentTruth[]>('GET', '/__sim/agents');
  return new Map(all.map((a) => [a.id, a]));
}

async function explain(extra = ''): Promise<string> {
  const world = await truth();
  const rows = [];
  for (const agentId of AGENTS) {
    const t = world.get(agentId);
    if (t !== undefined)
      rows.push({ agentId, engine: await engineView(reads, agentId), truth: truthView(t) });
  }
  return `${describeViews(rows)}\n${extra}`;
}

/** Waits until Redis equals the ground truth for every agent; returns when it first did. */
async function converged(timeoutMs: number, after: string, logs: () => string): Promise<number> {
  return pollUntil(
    async () => {
      const world = await truth();
      for (const agentId of AGENTS) {
        const t = world.get(agentId);
        if (t === undefined || !sameView(await engineView(reads, agentId), truthView(t))) return false;
      }
      return Date.now();
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: `Redis to equal the simulator's ground truth for every agent after ${after}`,
      explain: () => explain(logs().slice(-4_000)),
    },
  );
}

const STATION_RULE = 'on-queue-without-station';

async function stationFinding(agentId: string): Promise<FindingDoc | undefined> {
  return (await openFindings(reads, agentId)).find((f) => f.ruleId === STATION_RULE);
}

/** Puts the agent On Queue without a station and waits for its finding. */
async function openStationFinding(agentId: string, logs: () => string): Promise<FindingDoc> {
  await act({ type: 'set-presence', agentId, presence: 'On Queue' });
  if ((await truth()).get(agentId)?.station?.associated === true) {
    await act({ type: 'disassociate-station', agentId });
  }
  return pollUntil(() => stationFinding(agentId), {
    timeoutMs: 15_000,
    what: `an open ${STATION_RULE} finding on ${agentId}`,
    explain: () => explain(logs().slice(-3_000)),
  });
}

/** Gives every watched agent its station back (their findings resolve) and moves nobody else. */
async function calm(): Promise<void> {
  const world = await truth();
  for (const agentId of WATCHED) {
    if (world.get(agentId)?.station?.associated !== true) await act({ type: 'associate-station', agentId });
  }
}

async function moveEveryone(round: number): Promise<void> {
  for (const [i, agentId] of MOVERS.entries()) {
    await act({ type: 'set-presence', agentId, presence: PRESENCES[(i + round) % PRESENCES.length] });
  }
}

const health = async (e: EngineProcess) => (await e.health()) ?? { leader: false };

describe('leadership faults, measured against the ground truth', () => {
  it('an engine killed (SIGKILL) and restarted takes its own lease back at once and converges', async () => {
    await calm();
    const first = await engine();
    expect(await health(first)).toMatchObject({ leader: true });
    await converged(20_000, 'the first start', first.output);
    const before = await openStationFinding(WATCHED[0] as string, first.output);

    first.signal('SIGKILL');
    await first.exited();
    // While it is down: agents move, and another agent loses its station.
    await moveEveryone(1);
    await act({ type: 'set-presence', agentId: WATCHED[1], presence: 'On Queue' });
    await act({ type: 'disassociate-station', agentId: WATCHED[1] });

    const second = await engine();
    const backAt = Date.now();
    // Same default instance id (the host name): the dead predecessor's lease is its own.
    expect(await health(second)).toMatchObject({ leader: true });
    const convergedAt = await converged(CONVERGE_MS, 'a restart', second.output);
    expect(convergedAt - backAt).toBeLessThanOrEqual(CONVERGE_MS);
    // No finding lost: the open one is still the same finding, the condition that arose meanwhile opened one.
    expect(await stationFinding(WATCHED[0] as string)).toMatchObject({
      id: before.id,
      openedAt: before.openedAt,
    });
    await pollUntil(() => stationFinding(WATCHED[1] as string), {
      timeoutMs: CONVERGE_MS,
      what: `the ${STATION_RULE} finding that arose while the engine was down`,
      explain: () => explain(second.output().slice(-3_000)),
    });
  }, 90_000);

  it('a standby takes over the moment a killed leader’s lease expires, and converges', async () => {
    await calm();
    const leader = await engine('engine-a');
    expect(await health(leader)).toMatchObject({ leader: true });
    const standby = await engine('engine-b');
    expect(await health(standby)).toMatchObject({ leader: false, agents: AGENTS.length });
    await converged(20_000, 'the first start', leader.output);
    const before = await openStationFinding(WATCHED[2] as string, leader.output);

    const ttl = await redis.pttl(createKeys(PREFIX).lease(LEASE));
    const killedAt = Date.now();
    leader.signal('SIGKILL');
    const expiresAt = killedAt + ttl;
    await moveEveryone(2);
    const tookOverAt = await pollUntil(
      async () => ((await health(standby)).leader ? Date.now() : undefined),
      {
        timeoutMs: LEASE_TTL_MS + 5_000,
        intervalMs: 50,
        what: 'the standby to take the lease',
        explain: () => standby.output().slice(-3_000),
      },
    );
    // It tries when the lease expires, not on a fixed timer: at most the TTL (+1 s) after the kill.
    expect(tookOverAt - killedAt).toBeLessThanOrEqual(LEASE_TTL_MS + 1_000);
    expect(tookOverAt - expiresAt).toBeLessThanOrEqual(500);
    await moveEveryone(3);
    const convergedAt = await converged(CONVERGE_MS, 'a takeover', standby.output);
    expect(convergedAt - tookOverAt).toBeLessThanOrEqual(CONVERGE_MS);
    expect(await stationFinding(WATCHED[2] as string)).toMatchObject({
      id: before.id,
      openedAt: before.openedAt,
    });
  }, 90_000);

  it('a leader paused (SIGSTOP) past its lease writes nothing when it resumes (SIGCONT)', async () => {
    await calm();
    const paused = await engine('engine-paused');
    expect(await health(paused)).toMatchObject({ leader: true });
    await converged(20_000, 'the first start', paused.output);
    // Busy with a stream of changes, so that the pause is likely to catch it between steps and commits.
    await act({ type: 'firehose', eventsPerSecond: 1_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    paused.signal('SIGSTOP');
    // More changes while it sleeps: their events wait in its sockets.
    await new Promise((r) => setTimeout(r, 300));
    await act({ type: 'firehose', eventsPerSecond: 0 });

    const keys = createKeys(PREFIX);
    await pollUntil(async () => (await redis.exists(keys.lease(LEASE))) === 0, {
      timeoutMs: LEASE_TTL_MS + 2_000,
      what: 'the paused engine’s lease to expire',
    });
    // A new holder that has written no agent yet: only the lease itself can fence the paused engine off.
    const rival = await createLeases({ redis, keys }).acquireLease(LEASE, 'rival', 120_000);
    expect(rival?.token).toBeGreaterThan(0);
    const versions = async () =>
      Promise.all(AGENTS.map(async (agentId) => (await reads.readAgent(agentId))?.version ?? 0));
    const frozen = await versions();
    const historyBefore = await Promise.all(AGENTS.map((a) => redis.xlen(keys.history(a))));

    paused.signal('SIGCONT');
    await pollUntil(async () => (await paused.health()) !== null, {
      timeoutMs: 5_000,
      what: 'the resumed engine to answer',
    });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await versions()).toEqual(frozen);
    expect(await Promise.all(AGENTS.map((a) => redis.xlen(keys.history(a))))).toEqual(historyBefore);
    expect(await health(paused)).toMatchObject({ leader: false });
    expect((await createLeases({ redis, keys }).readLease(LEASE))?.owner).toBe('rival');
  }, 90_000);
});
