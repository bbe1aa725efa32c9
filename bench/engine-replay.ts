/**
 * Engine replay benchmark: the engine's capacity without the simulator as the bottleneck.
 *
 * 1. Records real notification frames (text): a raw `ws` client subscribes the engine's topics of all 10,000 agents of
 *    `firehose-10k` and keeps the first N event frames of the firehose. The simulator is then stopped.
 * 2. Replays the frames in-process through the engine's own path, as fast as it drains: `decodeNotification` → the
 *    engine's event mapper → the batched per-agent pipeline (xstate step, version-CAS commit of snapshot, signals,
 *    findings and history to a real `redis-server`, outbox relay). Frames are fed as fast as the engine drains them,
 *    with at most `--backlog` events waiting (like a socket's receive buffer); the clock stops after a final
 *    `pipeline.flush()`, so the figure is events fully persisted per second.
 * 3. Checks the result: every agent seen is in Redis, and the persisted presence of sampled agents equals the last
 *    presence in the frames.
 *
 * Also prints the CPU-only stages (decode alone; decode + map + machine step + snapshot serialisation) for context.
 *
 *   npx tsx --conditions=@lockstep/source bench/engine-replay.ts [--frames 200000] [--warmup 40000] [--chunk 1000] [--backlog 20000]
 *     [--profile replay.cpuprofile] [--recording frames.json] [--grace-ms 0]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parseArgs } from 'node:util';
import {
  type AgentEvent,
  type AgentSnapshot,
  createAgentMachine,
  initialAgentSnapshot,
  parsePolicy,
  RULE_IDS,
  persistAgent,
  stepAgentEvents,
} from '@lockstep/domain';
import { type Clock, decodeNotification, systemClock } from '@lockstep/genesys';
import { connectRedis, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { startRedis, startSim } from '@lockstep/testkit';
import { createMetrics, type EngineMetrics, createEventMapper } from '@lockstep/engine';
import { createIngest, createStandalonePipeline } from './engine-ingest.js';
import { describeMachine, fmt, recordFirehoseFrames, SCENARIO } from './engine-support.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '200000' },
    warmup: { type: 'string', default: '40000' },
    chunk: { type: 'string', default: '1000' },
    backlog: { type: 'string', default: '20000' },
    /** Writes a V8 CPU profile of the measured full-path phase only (open it in Chrome DevTools). */
    profile: { type: 'string' },
    /** Keeps the recorded frames in this file and replays them on later runs (same input for comparisons). */
    recording: { type: 'string' },
    'grace-ms': { type: 'string' },
    rate: { type: 'string', default: '30000' },
    'batch-window-ms': { type: 'string', default: '2' },
  },
});
const totalFrames = Number(values.frames);
const warmupFrames = Number(values.warmup);
const chunk = Number(values.chunk);
const maxBacklog = Number(values.backlog);
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

/** A V8 CPU profile of one phase of the run, through the inspector (no `--cpu-prof` of the whole process). */
async function startProfile(): Promise<{ stop(path: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(path) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(path, JSON.stringify(profile));
      session.disconnect();
      console.error(`profile of the measured phase written to ${path}`);
    },
  };
}

async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const read = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_sys') + read('used_cpu_user');
}

/** Records the frames, or loads a recording saved by an earlier run with the same `--recording` file. */
interface Recording {
  readonly frames: string[];
  readonly agentIds: string[];
  /** When the recording started and ended (epoch ms): the replay's engine clock runs between them. */
  readonly startedAt: number;
  readonly recordedAt: number;
}

async function framesToReplay(): Promise<Recording> {
  const file = values.recording;
  if (file !== undefined && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Recording;
    if (saved.frames.length >= totalFrames) {
      console.error(`replaying ${fmt(totalFrames)} frames recorded earlier in ${file}`);
      return { ...saved, frames: saved.frames.slice(0, totalFrames) };
    }
  }
  console.error(`recording ${fmt(totalFrames)} frames from the ${SCENARIO} firehose...`);
  const sim = await startSim({ scenario: SCENARIO, startTimeoutMs: 120_000 });
  try {
    const recorded = await recordFirehoseFrames(sim, totalFrames, Number(values.rate));
    if (file !== undefined) writeFileSync(file, JSON.stringify(recorded));
    return recorded;
  } finally {
    await sim.stop();
  }
}

const server = await startRedis();
let redis: RedisClient | undefined;
let recorded: Recording;
try {
  recorded = await framesToReplay();
} catch (err) {
  await server.stop();
  throw err;
}
const { frames, agentIds } = recorded;
// The engine clock of the replay follows the recording: it advances with the frames fed, from the instant the
// recording started to the instant it ended, so that every replay of a recording does about the same work (grace
// periods elapse by the frames' own pace, not by how fast the replay runs).
let fed = 0;
const replayClock: Clock = {
  ...systemClock,
  now: () =>
    recorded.startedAt + Math.floor(((recorded.recordedAt - recorded.startedAt) * fed) / frames.length),
};
const bytes = frames.reduce((n, f) => n + f.length, 0);

try {
  redis = connectRedis(server.url);
  // `--grace-ms` overrides every rule's grace (e.g. 0: findings open as soon as a condition holds, which exercises
  // the findings and outbox path; with the default graces a recording of a few seconds opens almost none).
  const policy = parsePolicy(
    values['grace-ms'] === undefined
      ? {}
      : { rules: Object.fromEntries(RULE_IDS.map((id) => [id, { graceMs: Number(values['grace-ms']) }])) },
  );
  const machine = createAgentMachine(policy);

  // CPU-only stages, for context (no Redis).
  let t0 = performance.now();
  let decoded = 0;
  for (const f of frames) if (decodeNotification(f).ok) decoded++;
  const decodeRate = frames.length / ((performance.now() - t0) / 1000);
  const stageMapper = createEventMapper();
  const snapshots = new Map<string, AgentSnapshot>();
  t0 = performance.now();
  // As the pipeline does it: the events of each agent within a group of `chunk` frames go to the machine in one
  // step, and each stepped agent's snapshot is serialised once.
  for (let i = 0; i < frames.length; i += chunk) {
    const byAgent = new Map<string, AgentEvent[]>();
    for (const f of frames.slice(i, i + chunk)) {
      const r = decodeNotification(f);
      if (!r.ok) continue;
      const mapped = stageMapper.map(r.event, replayClock.now());
      if (mapped.kind !== 'signals') continue;
      let list = byAgent.get(mapped.agentId);
      if (list === undefined) byAgent.set(mapped.agentId, (list = []));
      for (const update of mapped.updates) list.push({ type: 'SIGNAL', update });
    }
    for (const [agentId, events] of byAgent) {
      const before = snapshots.get(agentId) ?? initialAgentSnapshot(machine, agentId, replayClock.now());
      const s = stepAgentEvents(machine, before, events).snapshot;
      JSON.stringify(persistAgent(s));
      snapshots.set(agentId, s);
    }
  }
  const stepRate = frames.length / ((performance.now() - t0) / 1000);
  snapshots.clear();

  // The full path against Redis.
  const keys = createKeys('replay:');
  const metrics = createMetrics();
  const pipeline = createStandalonePipeline({
    clock: replayClock,
    redis,
    keys,
    machine,
    policy,
    metrics,
    batchWindowMs: batchWindowMs,
  });
  const ingest = createIngest({ pipeline, mapper: createEventMapper(), metrics, tracked: new Set(agentIds) });
  // Frames arrive as fast as the engine drains them, with at most `backlog` events waiting (as a socket's
  // receive buffer would hold them); each step feeds `chunk` frames, then lets the pipeline run.
  const feed = async (from: number, to: number) => {
    for (let i = from; i < to;) {
      if (pipeline.backlog >= maxBacklog) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const now = replayClock.now();
      const end = Math.min(to, i + chunk);
      for (; i < end; i++) ingest.ingest(frames[i] as string, now);
      fed = i;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await pipeline.flush();
  };
  await feed(0, warmupFrames);
  const before = {
    events: ingest.events,
    persisted: await counter(metrics, 'lockstep_event_persist_seconds'),
    commits: await counter(metrics, 'lockstep_commits_total'),
    redisCpu: await redisCpuSeconds(redis),
    cpu: process.cpuUsage(),
  };
  const profiler = values.profile ? await startProfile() : undefined;
  t0 = performance.now();
  await feed(warmupFrames, frames.length);
  const seconds = (performance.now() - t0) / 1000;
  if (profiler) await profiler.stop(values.profile as string);
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
      `warm-up ${fmt(warmupFrames)}, measured ${fmt(frames.length - warmupFrames)}; fed ${fmt(chunk)} frames at a time, ` +
      `at most ${fmt(maxBacklog)} events waiting, ` +
      `batch window ${batchWindowMs} ms`,
  );
  console.log('| stage | events/s |');
  console.log('|---|---:|');
  console.log(`| decode only (CPU, one core) | ${fmt(decodeRate)} |`);
  console.log(
    `| decode + map + machine step per agent and group of frames + snapshot JSON (CPU, one core, no Redis) | ${fmt(stepRate)} |`,
  );
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
