import { type AgentEvent, createAgentMachine, parsePolicy, type SignalUpdate } from '@lockstep/domain';
import { type Clock, systemClock } from '@lockstep/genesys';
import {
  connectRedis,
  createAgentStore,
  createKeys,
  createOutbox,
  createReads,
  type RedisClient,
} from '@lockstep/store';
import { pollUntil, type RedisServer, startRedis } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.js';
import { createPipeline } from './pipeline.js';

let server: RedisServer;
let redis: RedisClient;
let prefixSeq = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const T0 = Date.now() - 60_000;
const presence = (system: 'ON_QUEUE' | 'AVAILABLE', at: number): AgentEvent => ({
  type: 'SIGNAL',
  update: { signal: 'presence', value: { system, definitionId: null }, at, source: 'event' } as SignalUpdate,
});
const routing = (status: 'IDLE' | 'OFF_QUEUE', at: number): AgentEvent => ({
  type: 'SIGNAL',
  update: { signal: 'routing', value: status, at, source: 'event' },
});

function setup(
  policy: unknown = {},
  fence: () => number | null = () => 1,
  extra: {
    clock?: Clock;
    yieldEveryEvents?: number;
    hotAgents?: number;
    ticksPerBatch?: number;
    maxQueuedEvents?: number;
    relaySweepIntervalMs?: number;
  } = {},
) {
  const keys = createKeys(`pipe${++prefixSeq}:`);
  const metrics = createMetrics();
  const reads = createReads({ redis, keys });
  const outbox = createOutbox({ redis, keys, group: 'test' });
  const fenceRejections: unknown[] = [];
  const lost: string[] = [];
  const parsed = parsePolicy(policy);
  const pipeline = createPipeline({
    machine: createAgentMachine(parsed),
    policy: parsed,
    store: createAgentStore({ redis, keys }),
    reads,
    outbox,
    metrics,
    logger: pino({ level: 'silent' }),
    clock: extra.clock ?? systemClock,
    fence,
    onFenceRejected: (err) => fenceRejections.push(err),
    onLost: (agentIds) => lost.push(...agentIds),
    batchWindowMs: 1,
    errorRetryDelaysMs: [100, 100],
    ...(extra.yieldEveryEvents === undefined ? {} : { yieldEveryEvents: extra.yieldEveryEvents }),
    ...(extra.hotAgents === undefined ? {} : { hotAgents: extra.hotAgents }),
    ...(extra.ticksPerBatch === undefined ? {} : { ticksPerBatch: extra.ticksPerBatch }),
    ...(extra.maxQueuedEvents === undefined ? {} : { maxQueuedEvents: extra.maxQueuedEvents }),
    ...(extra.relaySweepIntervalMs === undefined ? {} : { relaySweepIntervalMs: extra.relaySweepIntervalMs }),
  });
  return { keys, metrics, reads, outbox, pipeline, fenceRejections, lost };
}

describe('pipeline against a real Redis', () => {
  it('commits one snapshot per agent per batch with the event cause and the merged signals', async () => {
    const { pipeline, reads } = setup();
    pipeline.submit('a-1', presence('AVAILABLE', T0), 'event', Date.now());
    pipeline.submit('a-1', routing('OFF_QUEUE', T0), 'event', Date.now());
    pipeline.submit('a-2', presence('ON_QUEUE', T0), 'event', Date.now());
    await pipeline.flush();
    const a1 = await reads.readAgent('a-1');
    expect(a1?.version).toBe(1);
    expect(a1?.state).toBe('available/inSync');
    expect(a1?.signals).toMatchObject({
      presence: { value: { system: 'AVAILABLE' }, at: T0, source: 'event' },
      routing: { value: 'OFF_QUEUE', at: T0 },
    });
    const history = await reads.readHistory('a-1', { count: 10 });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ cause: 'event', version: 1, to: 'available/inSync' });
    expect(history[0]?.detail).toContain('presence');
    expect((await reads.readAgent('a-2'))?.version).toBe(1);
    await pipeline.close();
  });

  it('changes nothing for stale or duplicate events', async () => {
    const { pipeline, reads, metrics } = setup();
    pipeline.submit('a-1', presence('AVAILABLE', T0 + 10), 'event');
    await pipeline.flush();
    pipeline.submit('a-1', presence('AVAILABLE', T0 + 10), 'event'); // duplicate
    pipeline.submit('a-1', presence('ON_QUEUE', T0), 'event'); // older
    await pipeline.flush();
    const a1 = await reads.readAgent('a-1');
    expect(a1?.version).toBe(1);
    expect(a1?.signals).toMatchObject({ presence: { value: { system: 'AVAILABLE' }, at: T0 + 10 } });
    expect((await metrics.commits.get()).values.reduce((n, v) => n + v.value, 0)).toBe(1);
    await pipeline.close();
  });

  it('records resync as the history cause of REST re-reads', async () => {
    const { pipeline, reads } = setup();
    pipeline.submit(
      'a-1',
      { type: 'RESYNC', at: T0, updates: [{ signal: 'routing', value: 'IDLE', at: T0, source: 'resync' }] },
      'resync',
    );
    await pipeline.flush();
    const [entry] = await reads.readHistory('a-1', { count: 1 });
    expect(entry?.cause).toBe('resync');
  });

  it('opens a finding on a tick after the grace period and relays its effects to the outbox', async () => {
    const { pipeline, reads, outbox, metrics } = setup({
      rules: { 'on-queue-not-routable': { graceMs: 100, action: 'alert' } },
    });
    const now = Date.now();
    pipeline.submit('a-1', presence('ON_QUEUE', now), 'event');
    pipeline.submit('a-1', routing('OFF_QUEUE', now), 'event');
    await pipeline.flush();
    expect((await reads.readAgent('a-1'))?.findings).toEqual([]);
    expect(pipeline.pendingDeadlines).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    await pipeline.flush();
    const agent = await reads.readAgent('a-1');
    expect(agent?.findings.map((f) => f.ruleId)).toEqual(['on-queue-not-routable']);
    expect(agent?.state).toBe('onQueue.notRoutable/desynced');
    const [last] = await reads.readHistory('a-1', { count: 1 });
    expect(last?.cause).toBe('tick');
    const open = await reads.listOpenFindings({ ruleId: 'on-queue-not-routable' });
    expect(open.map((o) => o.agentId)).toEqual(['a-1']);
    await outbox.ensureGroup('all');
    const messages = await outbox.readGroup('c1', 10, 0);
    expect(messages.map((m) => (m.effect as { type: string }).type)).toContain('finding.opened');
    expect(agent?.pendingOutbox).toBe(0);
    const gauge = await metrics.openFindings.get();
    expect(gauge.values.find((v) => v.labels.rule === 'on-queue-not-routable')?.value).toBe(1);
    await pipeline.close();
  });

  it("relays entries left by a failed relay without waiting for the agent's next effect", async () => {
    const { pipeline, keys, metrics } = setup(
      { rules: { 'on-queue-not-routable': { graceMs: 500, action: 'alert' } } },
      () => 1,
      { relaySweepIntervalMs: 100 },
    );
    const now = Date.now();
    pipeline.submit('s-1', presence('ON_QUEUE', now), 'event');
    pipeline.submit('s-1', routing('OFF_QUEUE', now), 'event');
    await pipeline.flush();
    // An undecodable pending line makes the relay after the next commit fail.
    await redis.hset(keys.agent('s-1'), 'pending', 'garbage');
    await new Promise((r) => setTimeout(r, 700));
    await pipeline.flush();
    expect((await metrics.outboxRelayErrors.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
    expect(await redis.xlen(keys.outboxStream(0))).toBe(0);
    const pending = (await redis.hget(keys.agent('s-1'), 'pending')) ?? '';
    await redis.hset(
      keys.agent('s-1'),
      'pending',
      pending
        .split('\n')
        .filter((line) => line.includes('\t'))
        .join('\n'),
    );
    await pollUntil(async () => (await redis.xlen(keys.outboxStream(0))) === 1, {
      timeoutMs: 2_000,
      what: 'the relay sweeper to publish the finding',
    });
    const [[, fields] = ['', []]] = await redis.xrange(keys.outboxStream(0), '-', '+');
    expect(fields[fields.indexOf('body') + 1]).toContain('finding.opened');
    await pipeline.close();
  });

  it('hands committed effects to the effects executor with the fence they were committed under', async () => {
    const keys = createKeys(`pipe${++prefixSeq}:`);
    const policy = parsePolicy({ rules: { 'on-queue-not-routable': { graceMs: 50, action: 'correct' } } });
    const executed: Array<{ agentId: string; types: string[]; fence: number }> = [];
    const pipeline = createPipeline({
      machine: createAgentMachine(policy),
      policy,
      store: createAgentStore({ redis, keys }),
      reads: createReads({ redis, keys }),
      outbox: createOutbox({ redis, keys, group: 'test' }),
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      clock: systemClock,
      fence: () => 7,
      onFenceRejected: () => {},
      effects: {
        executeCommitted: (agentId, effects, fence) =>
          executed.push({ agentId, types: effects.map((e) => e.type), fence }),
      },
      batchWindowMs: 1,
    });
    const now = Date.now();
    pipeline.submit('x-1', presence('ON_QUEUE', now), 'event');
    pipeline.submit('x-1', routing('OFF_QUEUE', now), 'event');
    await pollUntil(() => executed.some((e) => e.types.includes('finding.opened')), {
      timeoutMs: 2_000,
      what: 'the finding to reach the executor',
    });
    await pipeline.flush();
    expect(executed.every((e) => e.agentId === 'x-1' && e.fence === 7)).toBe(true);
    // The executor saw exactly the effects the commits queued, in commit order.
    const stream = await redis.xrange(keys.outboxStream(0), '-', '+');
    const relayed = stream.map(
      ([, f]) => (JSON.parse(f[f.indexOf('body') + 1] ?? '{}') as { type: string }).type,
    );
    expect(executed.flatMap((e) => e.types)).toEqual(relayed);
    await pipeline.close();
  });

  it('after a change of lease holder, relays what the previous holder left unrelayed', async () => {
    const { pipeline, keys } = setup({}, () => 1, { relaySweepIntervalMs: 100 });
    // A previous holder committed an effect and died before relaying it.
    await createAgentStore({ redis, keys }).commit({
      agentId: 'p-1',
      expectedVersion: 0,
      fence: 1,
      state: 'offline/inSync',
      machine: {},
      signals: {},
      findings: [],
      effects: [{ type: 'finding.resolved' }],
      cause: 'event',
      detail: '',
    });
    await new Promise((r) => setTimeout(r, 250));
    expect(await redis.xlen(keys.outboxStream(0))).toBe(0);
    pipeline.reset();
    await pollUntil(async () => (await redis.xlen(keys.outboxStream(0))) === 1, {
      timeoutMs: 2_000,
      what: 'the sweeper to relay the inherited entry',
    });
    expect(await redis.hexists(keys.agent('p-1'), 'pending')).toBe(0);
    await pipeline.close();
  });

  it('reloads and re-applies after a version conflict', async () => {
    const a = setup();
    a.pipeline.submit('a-1', presence('AVAILABLE', T0), 'event');
    await a.pipeline.flush();
    // A second writer (same prefix) commits the agent behind the first one's back.
    const other = createPipeline({
      machine: createAgentMachine(parsePolicy({})),
      policy: parsePolicy({}),
      store: createAgentStore({ redis, keys: a.keys }),
      reads: a.reads,
      outbox: a.outbox,
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      clock: systemClock,
      fence: () => 1,
      onFenceRejected: () => {},
      batchWindowMs: 0,
    });
    other.submit('a-1', routing('IDLE', T0 + 5), 'event');
    await other.flush();
    a.pipeline.submit('a-1', presence('ON_QUEUE', T0 + 10), 'event');
    await a.pipeline.flush();
    const agent = await a.reads.readAgent('a-1');
    expect(agent?.version).toBe(3);
    expect(agent?.signals).toMatchObject({
      presence: { value: { system: 'ON_QUEUE' } },
      routing: { value: 'IDLE' },
    });
    expect((await a.metrics.commitConflicts.get()).values[0]?.value).toBe(1);
    await other.close();
    await a.pipeline.close();
  });

  it('stops committing when a newer fencing token wrote the agent', async () => {
    let token = 5;
    const a = setup({}, () => token);
    a.pipeline.submit('a-1', presence('AVAILABLE', T0), 'event');
    await a.pipeline.flush();
    token = 3; // an older lease than the one that last wrote
    a.pipeline.submit('a-1', presence('ON_QUEUE', T0 + 10), 'event');
    await a.pipeline.flush();
    expect(a.fenceRejections).toHaveLength(1);
    expect((await a.reads.readAgent('a-1'))?.version).toBe(1);
    await a.pipeline.close();
  });

  it('drops events while it may not commit', async () => {
    const a = setup({}, () => null);
    a.pipeline.submit('a-1', presence('AVAILABLE', T0), 'event');
    await a.pipeline.flush();
    expect(await a.reads.readAgent('a-1')).toBeNull();
    await a.pipeline.close();
  });
  it('retries a commit that failed for another reason than a conflict, and commits once the fault is gone', async () => {
    const a = setup();
    // A value of the wrong type under the agent's key makes every read and commit of it fail (WRONGTYPE).
    await redis.set(a.keys.agent('r-1'), 'not a hash');
    a.pipeline.submit('r-1', presence('AVAILABLE', T0), 'event');
    setTimeout(() => void redis.del(a.keys.agent('r-1')), 50);
    await a.pipeline.flush();
    expect((await a.reads.readAgent('r-1'))?.signals).toMatchObject({
      presence: { value: { system: 'AVAILABLE' } },
    });
    expect(a.lost).toEqual([]);
    expect((await a.metrics.commitErrors.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
    await a.pipeline.close();
  });

  it('hands an agent over for a re-read when its commit keeps failing after the bounded retries', async () => {
    const a = setup();
    await redis.set(a.keys.agent('r-2'), 'not a hash');
    a.pipeline.submit('r-2', presence('AVAILABLE', T0), 'event');
    a.pipeline.submit('r-3', presence('AVAILABLE', T0), 'event');
    await a.pipeline.flush();
    expect(a.lost).toEqual(['r-2']);
    // Three attempts: the first and the two bounded retries.
    expect((await a.metrics.commitErrors.get()).values[0]?.value).toBe(3);
    expect((await a.reads.readAgent('r-3'))?.version).toBe(1);
    await a.pipeline.close();
  });

  it("bounds its queue: beyond the bound an agent's events are coalesced into one re-read", async () => {
    const a = setup({}, () => 1, { maxQueuedEvents: 3 });
    for (let i = 0; i < 3; i++) a.pipeline.submit(`b-${i}`, presence('AVAILABLE', T0 + i), 'event');
    for (let i = 0; i < 50; i++) a.pipeline.submit(`b-${i % 5}`, presence('ON_QUEUE', T0 + 100 + i), 'event');
    expect(a.pipeline.backlog).toBe(3);
    await a.pipeline.flush();
    expect([...a.lost].sort()).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    expect((await a.metrics.eventsCoalesced.get()).values[0]?.value).toBe(50);
    expect((await a.reads.readAgent('b-0'))?.version).toBe(1);
    await a.pipeline.close();
  });

  it('yields to the event loop while it steps a large batch, and still commits every agent', async () => {
    // The clock is read once per agent commit, right after the agent's steps: counting the reads tells how many
    // agents a timer queued at the start of the batch waited for.
    let reads = 0;
    const clock: Clock = { ...systemClock, now: () => (reads++, systemClock.now()) };
    let probe = false;
    let readsSeenByTimer = -1;
    const fence = () => {
      if (probe) {
        probe = false;
        const at = reads;
        setImmediate(() => {
          readsSeenByTimer = reads - at;
        });
      }
      return 1;
    };
    const { pipeline, reads: store } = setup({}, fence, { clock, yieldEveryEvents: 2 });
    const agents = ['y-1', 'y-2', 'y-3', 'y-4', 'y-5', 'y-6'];
    for (const id of agents) pipeline.submit(id, presence('ON_QUEUE', T0), 'event');
    await pipeline.flush(); // cached from here on: no Redis read before the steps
    probe = true;
    for (const id of agents) pipeline.submit(id, presence('AVAILABLE', T0 + 10), 'event');
    await pipeline.flush();
    expect(readsSeenByTimer).toBeGreaterThan(0);
    expect(readsSeenByTimer).toBeLessThan(agents.length);
    for (const id of agents) expect((await store.readAgent(id))?.version).toBe(2);
  });

  it('keeps at most hotAgents live snapshots and rebuilds cold agents from their JSON without losing state', async () => {
    const { pipeline, reads } = setup(
      { rules: { 'on-queue-not-routable': { graceMs: 0, action: 'alert' } } },
      () => 1,
      { hotAgents: 2 },
    );
    const agents = ['h-1', 'h-2', 'h-3', 'h-4'];
    for (const id of agents) pipeline.submit(id, presence('ON_QUEUE', T0), 'event');
    await pipeline.flush();
    expect(pipeline.cachedAgents).toBe(4);
    expect(pipeline.liveAgents).toBe(2);
    // h-1 and h-2 are cold now: their next event must see the presence and the state committed before.
    for (const id of agents) pipeline.submit(id, routing('OFF_QUEUE', T0 + 10), 'event');
    await pipeline.flush();
    for (const id of agents) {
      const agent = await reads.readAgent(id);
      expect(agent?.version).toBe(2);
      expect(agent?.state).toBe('onQueue.notRoutable/desynced');
      expect(agent?.findings.map((f) => f.ruleId)).toEqual(['on-queue-not-routable']);
    }
    expect(pipeline.liveAgents).toBe(2);
    // A duplicate on a cold agent changes nothing and writes nothing.
    pipeline.submit('h-1', routing('OFF_QUEUE', T0 + 10), 'event');
    pipeline.submit('h-2', routing('OFF_QUEUE', T0 + 10), 'event');
    pipeline.submit('h-3', routing('OFF_QUEUE', T0 + 10), 'event');
    await pipeline.flush();
    expect((await reads.readAgent('h-1'))?.version).toBe(2);
    expect((await reads.readAgent('h-3'))?.version).toBe(2);
    await pipeline.close();
  });

  it('folds several events of one agent in a batch into one commit with the same outcome as separate ones', async () => {
    const policy = { rules: { 'on-queue-not-routable': { graceMs: 0, action: 'alert' } } };
    // One fixed clock for both, so that fresh agents start from the same instant.
    const clock: Clock = { ...systemClock, now: () => T0 - 1_000 };
    const batched = setup(policy, () => 1, { clock });
    const separate = setup(policy, () => 1, { clock });
    const events = [presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0 + 5), routing('IDLE', T0 + 20)];
    for (const e of events) batched.pipeline.submit('f-1', e, 'event');
    await batched.pipeline.flush();
    for (const e of events) {
      separate.pipeline.submit('f-1', e, 'event');
      await separate.pipeline.flush();
    }
    const a = await batched.reads.readAgent('f-1');
    const b = await separate.reads.readAgent('f-1');
    expect(a?.version).toBe(1);
    expect(b?.version).toBe(3);
    expect(a?.machine).toEqual(b?.machine);
    expect(a?.state).toBe('onQueue.idle/inSync');
    // The finding opened and resolved inside the batch still reached the outbox, in order.
    await batched.outbox.ensureGroup('all');
    const types = (await batched.outbox.readGroup('c1', 10, 0)).map(
      (m) => (m.effect as { type: string }).type,
    );
    expect(types).toEqual(['finding.opened', 'finding.resolved']);
    await batched.pipeline.close();
    await separate.pipeline.close();
  });

  it('spreads a burst of deadline ticks over several batches, fresh events first', async () => {
    let batches = 0;
    const { pipeline, reads } = setup({}, () => (batches++, 1), { ticksPerBatch: 2 });
    const now = Date.now();
    for (let i = 1; i <= 6; i++) pipeline.submit(`t-${i}`, { type: 'TICK', now: now + 60_000 }, 'tick');
    pipeline.submit('e-1', presence('ON_QUEUE', T0), 'event');
    await pipeline.flush();
    // [e-1, t-1, t-2], [t-3, t-4], [t-5, t-6]
    expect(batches).toBe(3);
    expect((await reads.readAgent('e-1'))?.version).toBe(1);
    for (let i = 1; i <= 6; i++) expect((await reads.readAgent(`t-${i}`))?.version).toBe(1);
    expect(pipeline.backlog).toBe(0);
    await pipeline.close();
  });
});
