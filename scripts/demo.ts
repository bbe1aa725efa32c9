/**
 * `make demo`: the whole product on the local Genesys simulator. Starts redis-server, the simulator on a seed story
 * and the lockstep engine (as its own process), then prints the findings and correction intents as the engine
 * emits them, and a summary at the end.
 *
 * Environment: DEMO_SCENARIO (default tuesday-0900-ready-push), DEMO_SECONDS (default 150).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Effect } from '@lockstep/domain';
import { connectRedis, createCommandQueue, createKeys, createOutbox, createReads } from '@lockstep/store';
import { killAndWait, repoRoot, startRedis, startSim } from '@lockstep/testkit';

const scenario = process.env.DEMO_SCENARIO ?? 'tuesday-0900-ready-push';
const seconds = Number(process.env.DEMO_SECONDS ?? '150');
const PREFIX = 'lockstep:';

interface Truth {
  id: string;
  name: string;
  activeQueueIds: string[];
  presence: { systemPresence: string };
  routingStatus: { status: string };
  station: { healthy: boolean } | null;
  lastChangedBy?: { presence?: string };
}

const t0 = Date.now();
const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const say = (line: string) => console.log(`${stamp()}  ${line}`);

console.log(`lockstep demo: the "${scenario}" story on the Genesys simulator, for ${seconds} s\n`);
const [redisServer, sim] = await Promise.all([startRedis(), startSim({ scenario })]);
const truth0 = await sim.control<Truth[]>('GET', '/__sim/agents');
const names = new Map(truth0.map((a) => [a.id, a.name]));
const queues = [...new Set(truth0.flatMap((a) => a.activeQueueIds))];
const name = (id: string) => (names.get(id) ?? id).padEnd(18);

const engine = spawn(
  process.execPath,
  [
    '--max-semi-space-size=32',
    '--conditions=@lockstep/source',
    '--import',
    'tsx',
    'services/engine/src/main.ts',
  ],
  {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
      REDIS_URL: redisServer.url,
      LOCKSTEP_AGENTS: queues.map((q) => `queue:${q}`).join(','),
      LOCKSTEP_KEY_PREFIX: PREFIX,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    },
  },
);
// The engine logs pino JSON; the demo shows its start and anything at warn or above.
for (const stream of [engine.stdout, engine.stderr]) {
  createInterface({ input: stream }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; agents?: number };
      if (entry.msg === 'engine started') say(`engine started, tracking ${entry.agents} agents`);
      else if ((entry.level ?? 0) >= 40) say(`engine: ${entry.msg}`);
    } catch {
      if (line.trim()) say(`engine: ${line}`);
    }
  });
}

const redis = connectRedis([redisServer.url]);
const reader = connectRedis([redisServer.url]);
const keys = createKeys(PREFIX);
const outbox = createOutbox({ redis, keys, group: 'demo', readRedis: reader });
await outbox.ensureGroup('all');

let running = true;
const counts = { opened: 0, resolved: 0, intents: 0 };
const tail = (async () => {
  while (running) {
    const batch = await outbox.readGroup('demo', 100, 500).catch(() => []);
    for (const message of batch) {
      const effect = message.effect as Effect;
      if (effect.type === 'finding.opened') {
        counts.opened++;
        const f = effect.finding;
        say(`OPEN      ${f.ruleId.padEnd(30)} ${name(f.agentId)} ${f.severity.padEnd(8)} ${f.summary}`);
      } else if (effect.type === 'finding.resolved') {
        counts.resolved++;
        say(`RESOLVED  ${effect.finding.ruleId.padEnd(30)} ${name(effect.finding.agentId)}`);
      } else if (effect.type === 'correction.intended') {
        counts.intents++;
        const i = effect.intent;
        say(`CORRECT   ${i.kind.padEnd(30)} ${name(i.agentId)} ${JSON.stringify(i.target)} (${i.reason})`);
      }
    }
    if (batch.length > 0) await outbox.ack(batch);
  }
})();

const finish = async (code: number) => {
  running = false;
  await tail.catch(() => undefined);
  await killAndWait(engine);
  reader.disconnect();
  redis.disconnect();
  await Promise.all([sim.stop(), redisServer.stop()]);
  process.exit(code);
};
process.once('SIGINT', () => void finish(0));
process.once('SIGTERM', () => void finish(0));
engine.once('exit', (code) => {
  if (running) {
    say(`engine exited early with code ${code}`);
    void finish(1);
  }
});

// The external WFM platform tells lockstep which states it pushed, so lockstep can hold it to them: every agent the
// platform sets On Queue is declared (the engine raises state-not-sticking when such a state is reverted).
const commands = createCommandQueue({ redis, keys });
const declared = new Set<string>();
const deadline = Date.now() + seconds * 1000;
while (Date.now() < deadline) {
  const pushed = (await sim.control<Truth[]>('GET', '/__sim/agents')).filter(
    (a) => a.lastChangedBy?.presence === 'external-wfm' && !declared.has(a.id),
  );
  for (const agent of pushed) {
    declared.add(agent.id);
    await commands.send({
      agentId: agent.id,
      type: 'declare',
      body: { presence: 'ON_QUEUE', by: 'external-wfm', at: Date.now(), ttlMs: 300_000 },
    });
  }
  if (pushed.length > 0) say(`DECLARE   external-wfm pushed On Queue ("ready") for ${pushed.length} agents`);
  await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
}

const reads = createReads({ redis, keys });
const open = await reads.listOpenFindings({ limit: 1000 });
const byRule = new Map<string, number>();
for (const { finding } of open) byRule.set(finding.ruleId, (byRule.get(finding.ruleId) ?? 0) + 1);
console.log(
  `\n${counts.opened} findings opened, ${counts.resolved} resolved, ${counts.intents} correction intents emitted.`,
);
console.log('open findings now, by rule:');
for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1]))
  console.log(`  ${String(n).padStart(4)}  ${rule}`);
if (byRule.size === 0) console.log('     none');
const truth = await sim.control<Truth[]>('GET', '/__sim/agents');
const dead = truth.filter((a) => a.station?.healthy === false).map((a) => a.name);
console.log(
  `simulator ground truth: ${dead.length} agents with a silently dead softphone (${dead.join(', ')})`,
);
console.log(
  '\nInspect an agent: REDIS_URL=<url> npm run lockstep -- agent <userId>   (see docs/operations.md)',
);
await finish(0);
