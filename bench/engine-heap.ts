/**
 * Engine heap per tracked agent at 100,000 agents. The engine's per-agent state is fed directly (100,000 agents do not
 * fit on one OAuth client's 20 notification channels): the tracked-agent set (as discovery holds it), the event
 * mapper and the batched pipeline with its agent cache and deadlines, committing to a real `redis-server`. Each agent
 * gets presence, routing status and station frames (decoded like live frames), then a second presence and routing
 * change. After forced GCs the heap growth since before the first agent id existed is divided by the agents.
 *
 *   node --expose-gc --conditions=@lockstep/source --import tsx bench/engine-heap.ts [--agents 100000] [--hot-agents N]
 */
import { parseArgs } from 'node:util';
import { createAgentMachine, parsePolicy } from '@lockstep/domain';
import { connectRedis, createKeys, createReads } from '@lockstep/store';
import { startRedis } from '@lockstep/testkit';
import { createMetrics, createEventMapper } from '@lockstep/engine';
import { createIngest, createStandalonePipeline } from './engine-ingest.js';
import { describeMachine, fmt } from './engine-support.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100000' },
    chunk: { type: 'string', default: '5000' },
    /** Agents kept as live snapshots (LOCKSTEP_HOT_AGENTS); default: the engine's default. */
    'hot-agents': { type: 'string' },
  },
});
const agents = Number(values.agents);
const chunk = Number(values.chunk);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const DEFINITIONS = {
  ON_QUEUE: 'e08eaf1b-ee47-4fa9-a231-1200e284798f',
  AVAILABLE: '6a3af858-942f-489d-9700-5f9bcdcdae9b',
} as const;
let seq = 0;
const meta = () =>
  `"metadata":{"CorrelationId":"00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}"}`;
const presence = (id: string, system: keyof typeof DEFINITIONS, at: string) =>
  `{"topicName":"v2.users.${id}.presence","version":"2","eventBody":{"source":"PURECLOUD","presenceDefinition":` +
  `{"id":"${DEFINITIONS[system]}","systemPresence":"${system}"},"primary":true,"message":"","modifiedDate":"${at}"},${meta()}}`;
const routing = (id: string, status: string, at: string) =>
  `{"topicName":"v2.users.${id}.routingStatus","version":"2","eventBody":{"id":"${id}","routingStatus":` +
  `{"status":"${status}","startTime":"${at}"}},${meta()}}`;
const station = (id: string) =>
  `{"topicName":"v2.users.${id}.station","version":"2","eventBody":{"associatedStation":` +
  `{"id":"5${id.slice(1)}","name":"WebRTC ${id.slice(-6)}"}},${meta()}}`;

const server = await startRedis();
const redis = connectRedis(server.url);
try {
  const policy = parsePolicy({});
  const machine = createAgentMachine(policy);
  const keys = createKeys('heap:');
  const metrics = createMetrics();
  const pipeline = createStandalonePipeline({
    redis,
    keys,
    machine,
    policy,
    metrics,
    batchWindowMs: 2,
    ...(values['hot-agents'] === undefined ? {} : { hotAgents: Number(values['hot-agents']) }),
  });
  const mapper = createEventMapper();
  const tracked = new Set<string>();
  const ingest = createIngest({ pipeline, mapper, metrics, tracked });
  // Warm the code paths on one agent so compiled code is not counted as agent state.
  tracked.add('warm-up');
  ingest.ingest(presence('warm-up', 'ON_QUEUE', new Date().toISOString()), Date.now());
  await pipeline.flush();
  pipeline.forget('warm-up');
  tracked.delete('warm-up');

  const before = heapUsed();
  for (let i = 0; i < agents; i++) tracked.add(`a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const ids = () => tracked.values();
  const t0 = performance.now();
  const feed = async (frames: (id: string, at: string) => string[]) => {
    let n = 0;
    const at = new Date().toISOString();
    for (const id of ids()) {
      for (const f of frames(id, at)) ingest.ingest(f, Date.now());
      if (++n % chunk === 0) await pipeline.flush();
    }
    await pipeline.flush();
  };
  await feed((id, at) => [presence(id, 'ON_QUEUE', at), routing(id, 'IDLE', at), station(id)]);
  await new Promise((r) => setTimeout(r, 5));
  await feed((id, at) => [presence(id, 'AVAILABLE', at), routing(id, 'OFF_QUEUE', at)]);
  const seconds = (performance.now() - t0) / 1_000;
  const after = heapUsed();
  const perAgent = (after - before) / agents;
  const indexed = (await redis.zcard(keys.agentsIndex())) - 1; // without the warm-up agent
  const sample = await createReads({ redis, keys }).readAgent(
    `a0000000-0000-4000-8000-${String(agents - 1).padStart(12, '0')}`,
  );

  console.log(describeMachine());
  console.log(
    `| agents | events fed | heap growth | heap per agent | agents cached (as live snapshots) | pending deadlines | agents in Redis | RSS |`,
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${fmt(agents)} | ${fmt(ingest.events - 1)} | ${fmt((after - before) / 2 ** 20, 1)} MiB | ` +
      `${fmt(perAgent)} B (${(perAgent / 1024).toFixed(2)} KiB) | ${fmt(pipeline.cachedAgents)} (${fmt(pipeline.liveAgents)}) | ` +
      `${fmt(pipeline.pendingDeadlines)} | ${fmt(indexed)} | ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB |`,
  );
  console.log(
    `fed in ${seconds.toFixed(1)} s; last agent in Redis: ${sample?.state ?? 'missing'} at version ${sample?.version ?? 0}`,
  );
  if (indexed !== agents || pipeline.cachedAgents !== agents || sample?.version !== 2) process.exitCode = 1;
  await pipeline.close();
} finally {
  await redis.quit();
  await server.stop();
}
