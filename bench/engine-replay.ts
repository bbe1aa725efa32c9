/**
 * Engine replay benchmark: the engine's capacity without the simulator as the bottleneck.
 *
 * 1. Records real notification frames (text): a raw `ws` client subscribes the engine's topics of all 10,000 agents of
 *    `firehose-10k` and keeps the first N event frames of the firehose. The simulator is then stopped.
 * 2. Replays the frames in-process through the engine's own path, as fast as it drains: `decodeNotification` → the
 *    engine's event mapper → the batched per-agent pipeline (xstate step, version-CAS commit of snapshot, signals,
 *    findings and history to a real `redis-server`, outbox relay). Frames are fed in chunks; each chunk is followed by
 *    `pipeline.flush()`, so the figure is events fully persisted per second.
 * 3. Checks the result: every agent seen is in Redis, and the persisted presence of sampled agents equals the last
 *    presence in the frames.
 *
 * Also prints the CPU-only stages (decode alone; decode + map + machine step + snapshot serialisation) for context.
 *
 *   npx tsx --conditions=@lockstep/source bench/engine-replay.ts [--frames 200000] [--warmup 40000] [--chunk 4000]
 */
import { parseArgs } from 'node:util';
import {
  type AgentSnapshot,
  createAgentMachine,
  initialAgentSnapshot,
  parsePolicy,
  persistAgent,
  stepAgent,
} from '@lockstep/domain';
import { decodeNotification } from '@lockstep/genesys';
import { connectRedis, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { startRedis, startSim } from '@lockstep/testkit';
import { createMetrics, type EngineMetrics, createEventMapper } from '@lockstep/engine';
import { createIngest, createStandalonePipeline } from './engine-ingest.js';
import { describeMachine, fmt, recordFirehoseFrames, SCENARIO } from './engine-support.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '200000' },
    warmup: { type: 'string', default: '40000' },
    chunk: { type: 'string', default: '4000' },
    rate: { type: 'string', default: '30000' },
    'batch-window-ms': { type: 'string', default: '2' },
  },
});
const totalFrames = Number(values.frames);
const warmupFrames = Number(values.warmup);
const chunk = Number(values.chunk);
const batchWindowMs = Number(values['batch-window-ms']);

async function counter(metrics: EngineMetrics, name: string): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => {
      const series = (v as { metricName?: string }).metricName;
      return series === undefined || series.endsWith('_count');
    })
    .reduce((n, v) => n + v.value, 0);
}

async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const read = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_sys') + read('used_cpu_user');
}

console.error(`recording ${fmt(totalFrames)} frames from the ${SCENARIO} firehose...`);
const [sim, server] = await Promise.all([
  startSim({ scenario: SCENARIO, startTimeoutMs: 120_000 }),
  startRedis(),
]);
let redis: RedisClient | undefined;
let recorded: { frames: string[]; agentIds: string[] };
try {
  recorded = await recordFirehoseFrames(sim, totalFrames, Number(values.rate));
} catch (err) {
  await Promise.all([sim.stop(), server.stop()]);
  throw err;
}
await sim.stop();
const { frames, agentIds } = recorded;
const bytes = frames.reduce((n, f) => n + f.length, 0);

try {
  redis = connectRedis(server.url);
  const policy = parsePolicy({});
  const machine = createAgentMachine(policy);

  // CPU-only stages, for context (no Redis).
  let t0 = performance.now();
  let decoded = 0;
  for (const f of frames) if (decodeNotification(f).ok) decoded++;
  const decodeRate = frames.length / ((performance.now() - t0) / 1000);
  const stageMapper = createEventMapper();
  const snapshots = new Map<string, AgentSnapshot>();
  t0 = performance.now();
  for (const f of frames) {
    const r = decodeNotification(f);
    if (!r.ok) continue;
    const mapped = stageMapper.map(r.event, Date.now());
    if (mapped.kind !== 'signals') continue;
    let s = snapshots.get(mapped.agentId) ?? initialAgentSnapshot(machine, mapped.agentId, Date.now());
    for (const update of mapped.updates) s = stepAgent(machine, s, { type: 'SIGNAL', update }).snapshot;
    JSON.stringify(persistAgent(s));
    snapshots.set(mapped.agentId, s);
  }
  const stepRate = frames.length / ((performance.now() - t0) / 1000);
  snapshots.clear();

  // The full path against Redis.
  const keys = createKeys('replay:');
  const metrics = createMetrics();
  const pipeline = createStandalonePipeline({
    redis,
    keys,
    machine,
    policy,
    metrics,
    batchWindowMs: batchWindowMs,
  });
  const ingest = createIngest({ pipeline, mapper: createEventMapper(), metrics, tracked: new Set(agentIds) });
  const feed = async (from: number, to: number) => {
    for (let i = from; i < to; i += chunk) {
      const now = Date.now();
      const end = Math.min(to, i + chunk);
      for (let j = i; j < end; j++) ingest.ingest(frames[j] as string, now);
      await pipeline.flush();
    }
  };
  await feed(0, warmupFrames);
  const before = {
    events: ingest.events,
    persisted: await counter(metrics, 'lockstep_event_persist_seconds'),
    commits: await counter(metrics, 'lockstep_commits_total'),
    redisCpu: await redisCpuSeconds(redis),
    cpu: process.cpuUsage(),
  };
  t0 = performance.now();
  await feed(warmupFrames, frames.length);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(before.cpu);
  const events = ingest.events - before.events;
  const persisted = (await counter(metrics, 'lockstep_event_persist_seconds')) - before.persisted;
  const commits = (await counter(metrics, 'lockstep_commits_total')) - before.commits;
  const redisCpu = (await redisCpuSeconds(redis)) - before.redisCpu;
  const decodeErrors = await counter(metrics, 'lockstep_decode_errors_total');
  const commitErrors = await counter(metrics, 'lockstep_commit_errors_total');
  const opened = await counter(metrics, 'lockstep_findings_opened_total');
  const relayed = await counter(metrics, 'lockstep_outbox_relayed_total');
  await pipeline.close();

  // Verification: Redis holds every agent seen, with the last presence of the frames.
  // Verification: Redis holds every agent seen, with the presence of its last frame. Two flips within one
  // firehose tick carry the same `modifiedDate`; the domain then keeps the greater value text (order-independent
  // ties by design), so an agent whose stored presence has the last frame's timestamp counts as a tie.
  const lastPresence = new Map<string, { system: string; at: number | undefined }>();
  for (const f of frames) {
    const r = decodeNotification(f);
    if (r.ok && r.event.kind === 'presence')
      lastPresence.set(r.event.agentId, { system: r.event.systemPresence, at: r.event.modifiedAt });
  }
  const reads = createReads({ redis, keys });
  const indexed = await redis.zcard(keys.agentsIndex());
  const sample = [...lastPresence].filter((_, i) => i % 50 === 0);
  let matching = 0;
  let ties = 0;
  for (const [agentId, last] of sample) {
    const rec = await reads.readAgent(agentId);
    const stored = (rec?.signals as { presence?: { value?: { system?: string }; at?: number } } | undefined)
      ?.presence;
    if (stored?.value?.system === last.system) matching++;
    else if (stored?.at !== undefined && stored.at === last.at) ties++;
  }

  console.log(`${describeMachine()}`);
  console.log(
    `frames: ${fmt(frames.length)} recorded (${fmt(bytes / frames.length)} bytes on average, ${fmt(agentIds.length)} agents); ` +
      `warm-up ${fmt(warmupFrames)}, measured ${fmt(frames.length - warmupFrames)}; chunk ${fmt(chunk)} frames, ` +
      `batch window ${batchWindowMs} ms`,
  );
  console.log('| stage | events/s |');
  console.log('|---|---:|');
  console.log(`| decode only (CPU, one core) | ${fmt(decodeRate)} |`);
  console.log(`| decode + map + machine step + snapshot JSON (CPU, one core, no Redis) | ${fmt(stepRate)} |`);
  console.log(`| full path: decode → map → pipeline → Redis commit (persisted) | ${fmt(events / seconds)} |`);
  console.log('');
  console.log(
    `measured: ${fmt(events)} events in ${seconds.toFixed(2)} s; ${fmt(persisted)} events persisted ` +
      `(${fmt(persisted / seconds)}/s) in ${fmt(commits)} commits (${fmt(commits / seconds)}/s); ` +
      `engine CPU ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} %, ` +
      `redis-server CPU ${((redisCpu / seconds) * 100).toFixed(0)} %; whole run: ${fmt(opened)} findings opened, ` +
      `${fmt(relayed)} outbox entries relayed`,
  );
  console.log(
    `checks: decode errors ${decodeErrors}, commit errors ${commitErrors}, decoded ${fmt(decoded)}/${fmt(frames.length)}; ` +
      `agents in Redis ${fmt(indexed)} of ${fmt(lastPresence.size)} seen; ` +
      `presence matches the last frame for ${matching}/${sample.length} sampled agents ` +
      `(${ties} same-millisecond ties)`,
  );
  if (matching + ties !== sample.length || indexed < lastPresence.size || commitErrors > 0)
    process.exitCode = 1;
} finally {
  await redis?.quit();
  await server.stop();
}
