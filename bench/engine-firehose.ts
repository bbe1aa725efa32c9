/**
 * Engine firehose benchmark, all in ONE run against one simulator (`firehose-10k`, 10,000 agents) and one
 * `redis-server`:
 *
 * 1. Ceiling: a raw `ws` subscriber (no lockstep code) takes the engine's topics of all 10,000 agents and counts the
 *    event frames it receives per second at a firehose target the simulator cannot reach.
 * 2. The real engine in-process (`createEngine` with the real notification pool, REST client and Redis), tracking
 *    the 50 queues' 10,000 agents (WFM off: the scenario has none). After the start-up resync:
 *    - latency at 5,000 events/s received, per event, to the first write of the agent's hash that Redis reports
 *      (keyspace notification to a second connection) after the engine received the event: from the engine's receipt
 *      (exact), and from the simulator's emission stamp (presence `modifiedDate`, routing `startTime`). The
 *      simulator's wire clock runs a constant offset behind this machine's clock (its world is anchored before its
 *      clock starts), so the offset is calibrated first as the minimum of receipt − stamp at 100 events/s;
 *    - sustained throughput: bursts of `--seconds` at rising firehose targets, each followed by a wait until the
 *      engine has processed what it received. Sustained = events persisted / (burst + drain). Events the simulator
 *      dropped because the engine did not read its socket in time (backpressure) are counted.
 * 3. Checks: Redis holds every agent with the simulator's presence, before and after a resync of all agents (a
 *    backpressure drop loses an event for good until the next resync, as on the platform).
 *
 *   npx tsx --conditions=@lockstep/source bench/engine-firehose.ts [--seconds 6] [--targets 15000,30000,60000]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createChannelPool, createGenesysApi, type GenesysEvent } from '@lockstep/genesys';
import { connectRedis, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { allUserIds, openChannels, type SimProcess, startRedis, startSim, token } from '@lockstep/testkit';
import { pino } from 'pino';
import { loadConfig, createEngine, type Engine } from '@lockstep/engine';
import {
  cpuSecondsOf,
  describeMachine,
  engineAgentTopics,
  FIREHOSE_QUEUES,
  fmt,
  quantile,
  SCENARIO,
  SIM_CLIENT,
  sleep,
} from './engine-support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    targets: { type: 'string', default: '15000,30000,60000' },
  },
});
const seconds = Number(values.seconds);
const THROUGHPUT_TARGETS = values.targets.split(',').map(Number);
const WARMUP_MS = 2_000;
/** Firehose targets count activity events too, which the engine does not subscribe: it receives 2/3 of them. */
const RECEIVED_SHARE = 2 / 3;
const LATENCY_TARGET = 7_500;
const CEILING_TARGET = 120_000;
const PREFIX = 'bench:';

const log = pino({ level: 'silent' });
const firehose = (sim: SimProcess, eventsPerSecond: number) =>
  sim.control('POST', '/__sim/actions', { type: 'firehose', eventsPerSecond });

async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const read = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_sys') + read('used_cpu_user');
}

/** Sum of a metric's series (for a histogram: its `_count`). */
async function total(engine: Engine, name: string): Promise<number> {
  const m = (await engine.metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => {
      const series = (v as { metricName?: string }).metricName;
      return series === undefined || series.endsWith('_count');
    })
    .reduce((n, v) => n + v.value, 0);
}

interface Burst {
  received: number;
  persisted: number;
  commits: number;
  dropped: number;
  burstSeconds: number;
  drainSeconds: number;
  engineCpu: number;
  simCpu: number;
  redisCpu: number;
  /** Longest and p99 event-loop delay of the engine process (ms): how long sockets and timers waited. */
  loopMax: number;
  loopP99: number;
}

const droppedBySim = async (sim: SimProcess) =>
  (await sim.control<{ dropped: { backpressure: number } }>('GET', '/__sim/stats')).dropped.backpressure;

/**
 * Runs the firehose at `target` for `seconds`, stops it, and waits (bounded) until the engine has processed what it
 * received. Counts are over burst + drain.
 */
async function burst(sim: SimProcess, engine: Engine, redis: RedisClient, target: number): Promise<Burst> {
  const read = async () => ({
    t: performance.now(),
    received: await total(engine, 'lockstep_events_received_total'),
    persisted: await total(engine, 'lockstep_event_persist_seconds'),
    commits: await total(engine, 'lockstep_commits_total'),
    dropped: await droppedBySim(sim),
    cpu: process.cpuUsage(),
    sim: cpuSecondsOf(sim.pid),
    redis: await redisCpuSeconds(redis),
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const a = await read();
  await firehose(sim, target);
  await sleep(seconds * 1_000);
  await firehose(sim, 0);
  const stopped = performance.now();
  await settle(engine);
  const b = await read();
  loop.disable();
  const s = (b.t - a.t) / 1_000;
  const cpu = process.cpuUsage(a.cpu);
  return {
    loopMax: loop.max / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    received: b.received - a.received,
    persisted: b.persisted - a.persisted,
    commits: b.commits - a.commits,
    dropped: b.dropped - a.dropped,
    burstSeconds: (stopped - a.t) / 1_000,
    drainSeconds: (b.t - stopped) / 1_000,
    engineCpu: (cpu.user + cpu.system) / 1e6 / s,
    simCpu: (b.sim - a.sim) / s,
    redisCpu: (b.redis - a.redis) / s,
  };
}

/** Waits until no event has arrived for 300 ms and the engine is idle (bounded by 60 s). */
async function settle(engine: Engine): Promise<void> {
  const deadline = performance.now() + 60_000;
  let last = -1;
  while (performance.now() < deadline) {
    await Promise.race([engine.idle(), sleep(5_000)]);
    const now = await total(engine, 'lockstep_events_received_total');
    if (now === last) return;
    last = now;
    await sleep(300);
  }
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const out: string[] = [];

const [sim, server] = await Promise.all([
  // The platform's 300 requests/minute would pace the start-up (discovery and resync of 10,000 agents) over
  // minutes; this benchmark measures the steady state.
  startSim({ scenario: SCENARIO, startTimeoutMs: 120_000, args: ['--rate-limit', '100000'] }),
  startRedis(),
]);
const redis = connectRedis(server.url);
const notifications = connectRedis(server.url);
const api = createGenesysApi({
  options: {
    target: { apiBase: sim.baseUrl },
    clientId: SIM_CLIENT.id,
    clientSecret: SIM_CLIENT.secret,
    pacing: { ratePerMinute: 100_000 },
  },
  logger: log,
});
let engine: Engine | undefined;
let pool: ReturnType<typeof createChannelPool> | undefined;
try {
  await firehose(sim, 0);

  // 1. The ceiling: a raw ws subscriber of the same topics.
  const bearer = await token(sim.baseUrl, SIM_CLIENT.id, SIM_CLIENT.secret);
  const ids = await allUserIds(sim.baseUrl, bearer);
  let rawFrames = 0;
  const channels = await openChannels(sim.baseUrl, bearer, ids.flatMap(engineAgentTopics), () => {
    rawFrames++;
  });
  await firehose(sim, CEILING_TARGET);
  await sleep(WARMUP_MS);
  const c0 = { frames: rawFrames, t: performance.now(), sim: cpuSecondsOf(sim.pid) };
  await sleep(seconds * 1_000);
  const cs = (performance.now() - c0.t) / 1_000;
  const ceiling = (rawFrames - c0.frames) / cs;
  const ceilingSimCpu = (cpuSecondsOf(sim.pid) - c0.sim) / cs;
  await firehose(sim, 0);
  for (const ch of channels) ch.socket.close();
  await sleep(500);
  console.error(`ceiling: ${Math.round(ceiling)} frames/s (simulator CPU ${pct(ceilingSimCpu)})`);

  // 2. The engine, wired as the runtime wires it.
  const config = loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: SIM_CLIENT.id,
    GENESYS_CLIENT_SECRET: SIM_CLIENT.secret,
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: FIREHOSE_QUEUES.map((q) => `queue:${q}`).join(','),
    LOCKSTEP_KEY_PREFIX: PREFIX,
    LOCKSTEP_WFM: 'false',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
  });
  pool = createChannelPool({
    api,
    logger: log,
    options: {
      maxChannels: config.maxChannels,
      pingIntervalMs: config.pingIntervalMs,
      watchdogTimeoutMs: config.watchdogTimeoutMs,
      topics: { conversationTopic: config.conversationTopic, wfm: config.wfm },
    },
  });
  engine = createEngine(config, { redis, api, pool, logger: log });
  await api.start();
  const t0 = performance.now();
  await engine.start();
  await engine.idle();
  const startSeconds = (performance.now() - t0) / 1_000;
  console.error(`engine started: ${engine.agents().size} agents in ${startSeconds.toFixed(1)} s`);

  // Latency: per event, its emission stamp and receipt; persisted at the next keyspace write of its agent.
  const pending = new Map<string, Array<{ emitted: number; received: number }>>();
  const fromEmission: number[] = [];
  const fromReceipt: number[] = [];
  const transport: number[] = [];
  let phase: 'off' | 'calibrate' | 'record' = 'off';
  const stampOf = (e: GenesysEvent): number | undefined =>
    e.kind === 'presence' ? e.modifiedAt : e.kind === 'routingStatus' ? e.startedAt : undefined;
  const offEvent = pool.onEvent((event, ctx) => {
    if (phase === 'off' || !('agentId' in event)) return;
    const emitted = stampOf(event);
    if (emitted === undefined) return;
    transport.push(ctx.receivedAt - emitted);
    if (phase !== 'record') return;
    const list = pending.get(event.agentId);
    if (list) list.push({ emitted, received: ctx.receivedAt });
    else pending.set(event.agentId, [{ emitted, received: ctx.receivedAt }]);
  });
  const agentKey = createKeys(PREFIX).agent('X');
  const [keyHead, keyTail] = agentKey.split('X') as [string, string];
  await redis.config('SET', 'notify-keyspace-events', 'Kh');
  await notifications.psubscribe(`__keyspace@0__:${keyHead}*${keyTail}`);
  notifications.on('pmessage', (_pattern: string, channel: string) => {
    const now = Date.now();
    const agentId = channel.slice(channel.indexOf(keyHead) + keyHead.length, channel.length - keyTail.length);
    const list = pending.get(agentId);
    if (!list) return;
    let kept = 0;
    for (const e of list) {
      if (e.received <= now) {
        fromEmission.push(now - e.emitted);
        fromReceipt.push(now - e.received);
      } else list[kept++] = e;
    }
    list.length = kept;
    if (kept === 0) pending.delete(agentId);
  });
  phase = 'calibrate';
  await firehose(sim, 100);
  await sleep(3_000);
  const offset = Math.min(...transport);
  transport.length = 0;
  await firehose(sim, LATENCY_TARGET);
  await sleep(WARMUP_MS);
  const l0 = { t: performance.now(), received: await total(engine, 'lockstep_events_received_total') };
  phase = 'record';
  await sleep(seconds * 1_000);
  phase = 'off';
  const latencyRate =
    ((await total(engine, 'lockstep_events_received_total')) - l0.received) /
    ((performance.now() - l0.t) / 1_000);
  await firehose(sim, 0);
  await settle(engine);
  offEvent();
  await notifications.punsubscribe();
  await redis.config('SET', 'notify-keyspace-events', '');
  for (const list of [fromEmission, fromReceipt, transport]) list.sort((x, y) => x - y);
  const emission = fromEmission.map((ms) => ms - offset);
  const q = (list: readonly number[], p: number) => `${quantile(list, p)} ms`;
  console.error(`latency from receipt: p50 ${q(fromReceipt, 0.5)} p99 ${q(fromReceipt, 0.99)}`);

  // Throughput: bursts at rising targets.
  const rows: string[] = [];
  for (const target of THROUGHPUT_TARGETS) {
    const b = await burst(sim, engine, redis, target);
    const span = b.burstSeconds + b.drainSeconds;
    console.error(`target ${target}: received ${b.received}, persisted ${b.persisted}, dropped ${b.dropped}`);
    rows.push(
      `| ${fmt(target)} (${fmt(target * RECEIVED_SHARE)}) | ${fmt(b.received / b.burstSeconds)} | ${fmt(b.dropped)} | ` +
        `${b.drainSeconds.toFixed(1)} s | ${fmt(b.persisted / span)} | ${fmt(b.commits / span)} | ` +
        `${pct(b.engineCpu)} | ${pct(b.simCpu)} | ${pct(b.redisCpu)} | ${fmt(b.loopP99)} / ${fmt(b.loopMax)} ms |`,
    );
  }

  // 3. Checks: Redis against the simulator's ground truth, before and after a resync of every agent.
  const truth = await sim.control<
    Array<{ id: string; presence: { systemPresence: string; modifiedDate: string } }>
  >('GET', '/__sim/agents');
  const reads = createReads({ redis, keys: createKeys(PREFIX) });
  const norm = (p: string) => p.replace(/[_\s]/g, '').toLowerCase();
  // Two flips of one agent within one firehose tick carry the same `modifiedDate`: the domain's total order then
  // keeps the greater value text (ties are order-independent by design), so such agents are counted apart.
  const check = async () => {
    let equal = 0;
    let ties = 0;
    for (const agent of truth) {
      const signals = (await reads.readAgent(agent.id))?.signals as
        { presence?: { value?: { system?: string }; at?: number } } | undefined;
      const stored = signals?.presence;
      if (
        stored?.value?.system !== undefined &&
        norm(stored.value.system) === norm(agent.presence.systemPresence)
      )
        equal++;
      else if (stored?.at !== undefined && stored.at === Date.parse(agent.presence.modifiedDate)) ties++;
    }
    return { equal, ties, other: truth.length - equal - ties };
  };
  const before = await check();
  engine.resync(engine.agents(), 'bench');
  await engine.idle();
  const after = await check();
  const indexed = await redis.zcard(createKeys(PREFIX).agentsIndex());

  out.push(describeMachine());
  out.push(
    `engine start (discovery + resync of ${fmt(engine.agents().size)} agents, simulator rate limit raised): ` +
      `${startSeconds.toFixed(1)} s; bursts of ${seconds} s`,
  );
  out.push('');
  out.push(
    `ceiling: raw ws subscriber, engine topics of ${fmt(ids.length)} agents, firehose target ${fmt(CEILING_TARGET)}: ` +
      `${fmt(ceiling)} events/s received (simulator CPU ${pct(ceilingSimCpu)})`,
  );
  out.push(
    `latency at ${fmt(latencyRate)} events/s received (target ${fmt(LATENCY_TARGET)}), ${fmt(fromReceipt.length)} events:`,
  );
  out.push('');
  out.push('| to the Redis write of the agent | p50 | p90 | p99 | max |');
  out.push('|---|---:|---:|---:|---:|');
  out.push(
    `| from engine receipt | ${q(fromReceipt, 0.5)} | ${q(fromReceipt, 0.9)} | ${q(fromReceipt, 0.99)} | ${q(fromReceipt, 1)} |`,
  );
  out.push(
    `| from simulator emission (clock offset ${offset} ms removed) | ${q(emission, 0.5)} | ${q(emission, 0.9)} | ` +
      `${q(emission, 0.99)} | ${q(emission, 1)} |`,
  );
  out.push('');
  out.push(
    '| firehose target (engine share) | received during burst (events/s) | dropped by the simulator (backpressure) | ' +
      'drain after stop | sustained: persisted events/s | commits/s | engine CPU | simulator CPU | redis CPU | ' +
      'event-loop delay p99 / max |',
  );
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(...rows);
  out.push('');
  const describe = (c: { equal: number; ties: number; other: number }) =>
    `${fmt(c.equal)} equal, ${fmt(c.ties)} same-millisecond ties, ${fmt(c.other)} other`;
  out.push(
    `checks: agents in Redis ${fmt(indexed)}/${fmt(truth.length)}; presence against the simulator: ` +
      `${describe(before)}; after a resync of all agents: ${describe(after)}`,
  );
  if (after.other > 0 || indexed !== truth.length) process.exitCode = 1;
} finally {
  await engine?.close();
  await pool?.close();
  api.close();
  await notifications.quit();
  await redis.quit();
  await Promise.all([sim.stop(), server.stop()]);
}
console.log(out.join('\n'));
