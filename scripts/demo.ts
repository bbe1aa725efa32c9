/**
 * `make demo`: the whole product on the embedded default, without Docker. Starts a private redis-server (unless
 * REDIS_URL is set), the Genesys simulator on the `demo` scenario (both seed stories plus background desyncs), the
 * engine, the notifier, the webhook receiver and the admin API, each as a child process
 * with its own log file. Shows a live view, then a report of each story, and exits 0 only if every story's
 * expected outcome happened (scripts/demo/outcomes.ts).
 *
 * Options: `--fast` (DEMO_FAST=1) ends as soon as every expected outcome has happened; `--keep` (DEMO_KEEP=1)
 * leaves everything running after the report until Ctrl-C; `--result <file>` (DEMO_RESULT_FILE) writes the
 * recording and the checks as JSON. DEMO_SECONDS bounds the run (default 100 s after the simulator starts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectRedis, createCommandQueue, createKeys } from '@lockstep/store';
import { freePort, repoRoot, startRedis } from '@lockstep/testkit';
import { createSubscriptionStore, createWebhookKeys } from '@lockstep/webhooks';
import { allPassed, runChecks } from './demo/outcomes.js';
import { createRecorder, type StoryMap, type Truth } from './demo/recorder.js';
import { nameOf } from './demo/recording.js';
import { buildReport } from './demo/report.js';
import { createSupervisor, httpText, waitFor, waitForLog } from './demo/services.js';
import { createDisplay, renderStatus } from './demo/view.js';
import { createWfmDeclarer } from './demo/wfm-declarations.js';

const { values: flags } = parseArgs({
  options: {
    fast: { type: 'boolean', default: process.env.DEMO_FAST === '1' },
    keep: { type: 'boolean', default: process.env.DEMO_KEEP === '1' },
    result: { type: 'string', default: process.env.DEMO_RESULT_FILE },
  },
  strict: true,
});
const runSeconds = Number(process.env.DEMO_SECONDS ?? (flags.fast ? '150' : '100'));
const SCENARIO = 'demo';
const SIM_TOKEN = randomBytes(16).toString('hex');

interface ScenarioMeta {
  queues: { id: string; name: string }[];
  managementUnits: { id: string; name: string; timeZone: string }[];
  start: { local: string; zone: string };
}
const scenario = JSON.parse(
  readFileSync(join(repoRoot, 'services/genesys-sim/scenarios', `${SCENARIO}.json`), 'utf8'),
) as ScenarioMeta;
const billing = scenario.queues.find((q) => q.name === 'Billing');
const unit = scenario.managementUnits[0];
if (!billing || !unit) throw new Error(`the ${SCENARIO} scenario has no Billing queue or management unit`);
const stories: StoryMap = {
  tuesdayQueueId: billing.id,
  managementUnits: new Map(scenario.managementUnits.map((m) => [m.id, m])),
};
const setting = {
  tuesday: `Tuesday 09:00 PT push (${billing.name} queue)`,
  friday: `Friday early shifts after a schedule publish (${unit.name})`,
  background: 'Background (other queues)',
};

const display = createDisplay(process.stdout);
const logDir = mkdtempSync(join(tmpdir(), 'lockstep-demo-'));
const supervisor = createSupervisor(logDir);
const t0 = Date.now();
const say = (line: string) =>
  display.event(`+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s  ${line}`);
let finishing: Promise<never> | undefined;
let redisServer: Awaited<ReturnType<typeof startRedis>> | undefined;
const clients: { disconnect(): void }[] = [];
/** Set when the demo writes into the operator's Redis: removes the demo's keys on the way out. */
let cleanupExternal: (() => Promise<void>) | undefined;

/** Stops every process the demo started (children newest first, then Redis) and exits with `code`. */
function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    running = false;
    await loop?.catch(() => undefined);
    await supervisor.stopAll();
    await cleanupExternal?.().catch(() => undefined);
    for (const c of clients) c.disconnect();
    await redisServer?.stop();
    process.exit(code);
  })();
  return finishing;
}
let running = true;
let loop: Promise<void> | undefined;
/** Set once the report is out: Ctrl-C then ends a `--keep` run with the outcome's code. */
let outcomeCode: number | undefined;
process.on('SIGINT', () => {
  if (outcomeCode === undefined) display.event('interrupted: stopping every process the demo started');
  void finish(outcomeCode ?? 130);
});
process.once('SIGTERM', () => void finish(outcomeCode ?? 143));
process.on('exit', () => {
  supervisor.killAllNow();
  void redisServer?.kill();
});
supervisor.onUnexpectedExit((service, code) => {
  if (finishing !== undefined) return;
  say(`${service.name} exited early with code ${code}; its log: ${service.logFile}`);
  void finish(1);
});

async function run(): Promise<void> {
  console.log(`lockstep demo: both seed stories on the Genesys simulator (logs in ${logDir})\n`);

  // Redis: the operator's when REDIS_URL is set (under a prefix of its own), else a private redis-server.
  const external = process.env.REDIS_URL?.trim() || undefined;
  if (external === undefined)
    redisServer = await startRedis({ extraArgs: ['--logfile', join(logDir, 'redis.log')] });
  const redisUrl = external ?? redisServer!.url;
  const prefix = external === undefined ? 'lockstep:' : `lockstep-demo-${randomBytes(4).toString('hex')}:`;
  const redis = connectRedis([redisUrl]);
  const readRedis = connectRedis([redisUrl]);
  clients.push(redis, readRedis);
  const keys = createKeys(prefix);
  if (external !== undefined) {
    cleanupExternal = async () => {
      let cursor = '0';
      do {
        const [next, batch] = (await redis.call('SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)) as [
          string,
          string[],
        ];
        if (batch.length > 0) await redis.unlink(...batch);
        cursor = next;
      } while (cursor !== '0');
    };
  }

  // The webhook receiver and its subscription (plain http on loopback, allowed explicitly).
  const [receiverPort, engineMetricsPort, notifierMetricsPort, adminPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const ssrf = { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] };
  const subscriptions = createSubscriptionStore({ redis, keys: createWebhookKeys(prefix), ssrf });
  const { secret } = await subscriptions.create({
    url: `http://127.0.0.1:${receiverPort}/alerts`,
    description: 'make demo: the local webhook receiver',
  });
  const receiver = supervisor.startNode(
    'webhook-receiver',
    ['services/notifier/src/receiver-main.ts', '--port', String(receiverPort), '--secret', secret],
    {},
  );
  await waitForLog(receiver, /listening on/, 30_000);

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  supervisor.startNode('notifier', ['services/notifier/src/main.ts'], {
    REDIS_URL: redisUrl,
    LOCKSTEP_KEY_PREFIX: prefix,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(notifierMetricsPort),
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    NOTIFIER_OUTBOX_START: 'all',
    LOCKSTEP_API_BASE_URL: adminUrl,
    LOCKSTEP_INSTANCE_ID: 'demo-notifier',
    LOG_LEVEL: 'info',
  });
  const notifierMetricsUrl = `http://127.0.0.1:${notifierMetricsPort}`;
  await waitFor('the notifier to answer /healthz', () => httpText(`${notifierMetricsUrl}/healthz`), 60_000);

  let readKey: string | undefined;
  const adminKey = randomBytes(24).toString('base64url');
  supervisor.startNode('admin-api', ['services/admin-api/src/main.ts'], {
    REDIS_URL: redisUrl,
    LOCKSTEP_KEY_PREFIX: prefix,
    ADMIN_API_HOST: '127.0.0.1',
    ADMIN_API_PORT: String(adminPort),
    LOCKSTEP_BOOTSTRAP_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'info',
  });
  await waitFor('the admin API to answer /healthz', () => httpText(`${adminUrl}/healthz`), 60_000);
  // A read-only key for the user, made with the bootstrap admin key (which the demo never prints).
  const res = await fetch(`${adminUrl}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'make-demo-read', scopes: ['read'] }),
  }).catch(() => undefined);
  if (res?.ok) readKey = ((await res.json()) as { key?: string }).key;
  say(readKey ? 'admin API up, read key created' : 'admin API up (no read key: POST /v1/keys failed)');

  // The simulator's clock starts when it does: the engine follows at once.
  const sim = supervisor.startNode(
    'genesys-sim',
    ['services/genesys-sim/src/main.ts', '--port', '0', '--scenario', SCENARIO, '--control-token', SIM_TOKEN],
    { LOG_LEVEL: 'warn' },
  );
  const simUrl = `http://127.0.0.1:${(await waitForLog(sim, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 60_000))[1]}`;
  const simStart = Date.now();
  const truth = async (): Promise<Truth[]> =>
    JSON.parse(
      (await httpText(`${simUrl}/__sim/agents`, { authorization: `Bearer ${SIM_TOKEN}` })) ?? '[]',
    ) as Truth[];
  const queues = [...new Set((await truth()).flatMap((a) => a.activeQueueIds))];
  const engine = supervisor.startNode('engine', ['--max-semi-space-size=32', 'services/engine/src/main.ts'], {
    GENESYS_API_BASE: simUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: redisUrl,
    LOCKSTEP_KEY_PREFIX: prefix,
    LOCKSTEP_AGENTS: queues.map((q) => `queue:${q}`).join(','),
    LOCKSTEP_INSTANCE_ID: 'demo-engine',
    // The demo lets lockstep correct the simulator (a deployment starts in dry-run), and groups the Friday
    // story's few failing agents into an incident (a contact center would keep the default of 5).
    LOCKSTEP_CORRECTIONS: 'apply',
    LOCKSTEP_INCIDENT_MIN_AGENTS: '3',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(engineMetricsPort),
    LOG_LEVEL: 'info',
  });
  const started = await waitForLog(engine, /"agents":(\d+)[^\n]*"msg":"engine started"/, 90_000);
  say(`engine started, tracking ${started[1]} agents`);

  const recorder = await createRecorder({
    redis,
    readRedis,
    keys,
    engineMetricsUrl: `http://127.0.0.1:${engineMetricsPort}/metrics`,
    notifierMetricsUrl: `${notifierMetricsUrl}/metrics`,
    receiverLog: () => receiver.log(),
    truth,
    stories,
  });
  await recorder.pollAgents(false);

  // The external WFM platform tells lockstep which states it pushed: each seat it sets On Queue is declared, so
  // lockstep can hold the platform to it (state-not-sticking when the state is reverted).
  const declare = createWfmDeclarer({
    commands: createCommandQueue({ redis, keys }),
    queueId: stories.tuesdayQueueId,
    by: 'external-wfm',
    ttlMs: 300_000,
    onDeclared: (agentId, at) => recorder.noteDeclared(agentId, at),
  });
  const declarePushes = async (agents: readonly Truth[]) => {
    const n = await declare(agents);
    if (n > 0) say(`DECLARE   external WFM pushed ${n} seats On Queue; declared to lockstep`);
  };

  let alertsShown = 0;
  let passedEarly = false;
  loop = (async () => {
    let lastSlow = 0;
    while (running && Date.now() - simStart < runSeconds * 1000) {
      for (const e of await recorder.pollOutbox()) {
        const who = nameOf(recorder.snapshot(), e.agentId).padEnd(18);
        if (e.type === 'finding.opened')
          say(`OPEN      ${(e.ruleId ?? '').padEnd(26)} ${who} ${e.summary ?? ''}`);
        else if (e.type === 'finding.resolved') say(`RESOLVED  ${(e.ruleId ?? '').padEnd(26)} ${who}`);
        else if (e.type !== 'finding.updated')
          say(`${e.type.padEnd(9)} ${who} ${e.status ?? ''} ${e.reason ?? ''}`);
      }
      if (Date.now() - lastSlow >= 1_000) {
        lastSlow = Date.now();
        await declarePushes(await truth());
        await recorder.pollMetrics();
        await recorder.pollAgents(false);
        const snap = recorder.snapshot();
        if (snap.alerts.length > alertsShown) {
          say(`ALERTS    ${snap.alerts.length - alertsShown} more signed alerts verified by the receiver`);
          alertsShown = snap.alerts.length;
        }
        display.status(renderStatus(snap, Date.now() - t0));
        if (flags.fast && allPassed(runChecks(snap)) && runChecks(snap).some((c) => c.status === 'passed')) {
          passedEarly = true;
          break;
        }
      }
    }
  })();
  await loop;
  if (!running) await finishing;

  await recorder.pollOutbox();
  await recorder.pollMetrics();
  await recorder.pollAgents(true);
  const recording = recorder.snapshot();
  const checks = runChecks(recording);
  const ok = allPassed(checks);
  display.status(renderStatus(recording, Date.now() - t0));
  display.end();
  const sample = recording.entries.find((e) => e.type === 'finding.opened')?.agentId ?? '<userId>';
  const next = [
    `the admin API: curl -H 'authorization: Bearer ${readKey ?? '<read key>'}' ${adminUrl}/v1/findings`,
    `one agent: curl -H 'authorization: Bearer ${readKey ?? '<read key>'}' ${adminUrl}/v1/agents/${sample}`,
    `the CLI: LOCKSTEP_API_URL=${adminUrl} LOCKSTEP_API_KEY=${readKey ?? '<read key>'} npm run lockstep -- agents show ${sample}`,
    flags.keep
      ? 'everything keeps running until Ctrl-C'
      : 'these need the demo running: DEMO_KEEP=1 make demo keeps it up after the report until Ctrl-C',
    `logs of every process: ${logDir}`,
  ];
  console.log(`\n${buildReport(recording, setting, checks, next)}\n`);
  if (passedEarly) console.log('(--fast: ended as soon as every expected outcome had happened)\n');
  if (flags.result !== undefined) {
    const pids = supervisor.services.map((s) => ({ name: s.name, pid: s.child.pid ?? -1 }));
    writeFileSync(flags.result, JSON.stringify({ ok, checks, recording, pids, logDir }, null, 2));
  }
  outcomeCode = ok ? 0 : 1;
  // With --keep, Ctrl-C (the SIGINT handler) ends the run with the outcome's code.
  if (!flags.keep) await finish(outcomeCode);
}

run().catch(async (err: unknown) => {
  if (finishing !== undefined) return;
  display.event(`the demo failed: ${err instanceof Error ? err.message : String(err)}`);
  display.event(`logs of every process: ${logDir}`);
  await finish(1);
});
