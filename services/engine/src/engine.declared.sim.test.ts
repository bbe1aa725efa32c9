/**
 * Declared desired state end to end, on the Tuesday 09:00 ready-push seed story: the thirty seats are declared
 * On Queue from 09:00 through the command stream (the scenario's own external push is left out: the
 * declaration replaces it). No correction executor runs here: a stand-in applies each committed intent through
 * the simulator's control API, as the executor would, so the assertions rest on what reached Redis (intents and
 * outcomes), not on how the platform was changed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorrectionIntent, DeclarationReport } from '@lockstep/domain';
import { connectRedis, createCommandQueue, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { sendBulkDeclaration } from './declarations.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'declared:';
const SCENARIO = fileURLToPath(
  new URL('../../genesys-sim/scenarios/tuesday-0900-ready-push.json', import.meta.url),
);
const BILLING = '9b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3';

interface Truth {
  id: string;
  name: string;
  activeInteractions: number;
  presence: { systemPresence: string };
}
type Outbound =
  | { type: 'correction.intended'; intent: CorrectionIntent }
  | { type: `declaration.${string}`; declaration: DeclarationReport };

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let runtime: EngineRuntime;
let stopStandIn = false;
let standIn: Promise<void> | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-declared-'));
  const scenario = join(dir, 'tuesday.json');
  const story = JSON.parse(readFileSync(SCENARIO, 'utf8')) as Record<string, unknown>;
  writeFileSync(scenario, JSON.stringify({ ...story, timeline: [] }));
  // Two NOT_RESPONDING episodes prove a dead softphone here (default three), and corrections of one agent may
  // follow each other after 5 s (default 30 s), so the story plays out sooner.
  const policy = join(dir, 'policy.json');
  writeFileSync(
    policy,
    JSON.stringify({
      rules: { 'repeated-not-responding': { episodes: 2 } },
      corrections: { minSpacingMs: 5_000 },
    }),
  );
  [sim, server] = await Promise.all([startSim({ scenario }), startRedis()]);
  redis = connectRedis(server.url);
  runtime = await startEngineRuntime(
    loadConfig({
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
      REDIS_URL: server.url,
      LOCKSTEP_AGENTS: `queue:${BILLING}`,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_POLICY_FILE: policy,
      LOCKSTEP_INSTANCE_ID: 'declared-engine',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    }),
    pino({ level: 'silent' }),
  );
}, 60_000);

afterAll(async () => {
  stopStandIn = true;
  await standIn;
  await runtime?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

/** Every effect in the outbox, in commit order. */
async function outbound(): Promise<Outbound[]> {
  const keys = createKeys(PREFIX);
  const entries = await redis.xrange(keys.outboxStream(0), '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('body') + 1] ?? 'null') as Outbound);
}

const declarationEffects = (all: Outbound[], agentId: string) =>
  all.flatMap((e) => ('declaration' in e && e.declaration.agentId === agentId ? [e] : []));
const intentsOf = (all: Outbound[], agentId: string) =>
  all.flatMap((e) =>
    e.type === 'correction.intended' &&
    'intent' in e &&
    e.intent.agentId === agentId &&
    e.intent.declarationId
      ? [e.intent]
      : [],
  );

/** Plays the executor's part: applies each committed declaration intent once, through the control API. */
function runStandIn(): Promise<void> {
  const applied = new Set<string>();
  return (async () => {
    while (!stopStandIn) {
      for (const e of await outbound()) {
        if (e.type !== 'correction.intended' || !('intent' in e) || e.intent.declarationId === undefined)
          continue;
        if (applied.has(e.intent.id)) continue;
        applied.add(e.intent.id);
        await sim.control('POST', '/__sim/actions', {
          type: 'set-presence',
          agentId: e.intent.agentId,
          presence: 'On Queue',
          by: 'lockstep-demo',
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
}

it('thirty seats declared On Queue from 09:00: calls defer, dead softphones refused, fights re-applied, the rest applied', async () => {
  await runtime.engine.idle();
  const agents = await sim.control<Truth[]>('GET', '/__sim/agents');
  expect(agents).toHaveLength(30);
  const dead = agents.filter((a) => a.name.startsWith('Billing Agent D')).map((a) => a.id);
  // Their own client restores the old presence 2.5 s after any change by another party: systems fighting.
  const fighting = agents.filter((a) => a.name.startsWith('Billing Agent F')).map((a) => a.id);
  const others = agents.filter((a) => !dead.includes(a.id) && !fighting.includes(a.id)).map((a) => a.id);
  expect(fighting).toHaveLength(6);
  const onCall = agents.filter((a) => a.activeInteractions > 0).map((a) => a.id);
  expect(dead).toHaveLength(5);
  // Every seat starts on a call (4 to 40 s left): at least those still on one at validFrom defer.
  expect(onCall.length).toBeGreaterThan(20);

  const validFrom = Date.now() + 1_000;
  const results = await sendBulkDeclaration(
    createCommandQueue({ redis, keys: createKeys(PREFIX) }),
    {
      by: 'external-wfm',
      presence: 'ON_QUEUE',
      validFrom,
      ttlMs: 3_600_000,
      reason: 'Tuesday 09:00 ready push',
      declarations: agents.map((a) => ({ agentId: a.id })),
    },
    Date.now(),
  );
  expect(results.every((r) => r.status === 'sent')).toBe(true);
  standIn = runStandIn();

  const reads = createReads({ redis, keys: createKeys(PREFIX) });
  const outcomeOf = async (agentId: string) => {
    const record = await reads.readAgent(agentId);
    const context = (record?.machine as { context?: { desired?: DeclarationReport | null } } | null)?.context;
    return context?.desired?.outcome ?? null;
  };
  const outcomes = async () => Promise.all(agents.map(async (a) => [a.id, await outcomeOf(a.id)] as const));
  await pollUntil(
    async () => {
      const all = new Map(await outcomes());
      return (
        dead.every((id) => all.get(id)?.status === 'refused') &&
        fighting.every((id) => all.get(id)?.why?.startsWith('flap guard') === true) &&
        others.every((id) => all.get(id)?.status === 'applied')
      );
    },
    {
      timeoutMs: 330_000,
      intervalMs: 1_000,
      what: 'dead softphones refused, fighting seats held by the flap guard, every other seat applied',
      explain: async () =>
        (await outcomes()).map(([id, o]) => `${id}: ${o?.status ?? 'none'} ${o?.why ?? ''}`).join('\n'),
    },
  );

  const all = await outbound();
  for (const id of dead) {
    const outcome = await outcomeOf(id);
    expect(outcome?.why).toMatch(/^station \S+ dead \(repeated NOT_RESPONDING\) since \d\d:\d\d:\d\dZ$/);
    expect(declarationEffects(all, id).at(-1)?.type).toBe('declaration.refused');
  }
  for (const id of fighting) {
    const outcome = await outcomeOf(id);
    expect(outcome).toMatchObject({
      status: 'deferred',
      why: 'flap guard: 3 corrections of this agent within the window; last reverted by PURECLOUD',
    });
    // Each revert was reported and not taken for the agent's own choice: re-applied (right away, or after the
    // call that arrived meanwhile), three intents in all before the flap guard held.
    const reverted = declarationEffects(all, id).filter((e) => e.type === 'declaration.reverted');
    expect(reverted.length).toBeGreaterThanOrEqual(2);
    expect(reverted.map((e) => e.declaration.outcome.status)).not.toContain('reverted-by');
    expect(reverted.map((e) => e.declaration.revertedBy)).toContain('PURECLOUD');
    expect(intentsOf(all, id)).toHaveLength(3);
  }
  for (const id of onCall) {
    const effects = declarationEffects(all, id);
    const deferred = effects.find((e) => e.type === 'declaration.deferred');
    // Deferred with why while on the call, and the first intent only after the deferral ended.
    expect(deferred?.declaration.outcome.why).toMatch(/^on an interaction since \d\d:\d\d:\d\dZ$/);
    const [first] = intentsOf(all, id);
    expect(first?.priority).toBe('declared');
    expect(first?.ruleId).toBe('state-not-sticking');
    expect(first?.findingId).toBe(first?.declarationId);
    expect(first?.notBefore).toBeGreaterThan(deferred?.declaration.outcome.since ?? Infinity);
    const deferredAt = all.indexOf(deferred as Outbound);
    const intentAt = all.findIndex((e) => 'intent' in e && e.intent.id === first?.id);
    expect(deferredAt).toBeGreaterThanOrEqual(0);
    expect(intentAt).toBeGreaterThan(deferredAt);
  }
  for (const id of others) {
    const outcome = await outcomeOf(id);
    expect(outcome?.status).toBe('applied');
    expect(outcome?.since).toBeGreaterThanOrEqual(validFrom);
  }
}, 400_000);
