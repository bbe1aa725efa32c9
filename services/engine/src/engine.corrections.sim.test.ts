/**
 * The engine with its correction executor applying (`LOCKSTEP_CORRECTIONS=apply`) against the simulator and a
 * real redis-server: a sent correction is confirmed by the state the notification events commit, with no REST
 * read; with the agent's events muted, by a REST read; and when another system reverts every change, the
 * domain's flap guard stops after N corrections and escalates once, naming the reverting source. The simulator
 * logs reads too here, so the tests count what lockstep read for each agent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorrectionTarget, DeclarationReport, Effect } from '@lockstep/domain';
import { connectRedis, createCommandQueue, createKeys, createReads, type RedisClient } from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { sendBulkDeclaration } from './declarations.js';
import { type EngineRuntime, startEngineRuntime } from './runtime.js';

const PREFIX = 'engcorr:';
const QUEUE = 'c0ffee00-0000-4000-8000-0000000000c1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Truth {
  id: string;
  name: string;
  presence: { systemPresence: string };
}
interface Logged {
  method: string;
  path: string;
  agentIds: string[];
  midInteraction: boolean;
  status: number;
}
interface AuditDetail {
  outcome: string;
  intentId: string;
  confirmedBy?: string;
  correlationId: string | null;
  status: number | null;
  request: { method: string; path: string } | null;
}

let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let runtime: EngineRuntime;
let agents: Truth[];

function scenario(dir: string): string {
  const file = join(dir, 'world.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'engine-corrections',
      seed: 11,
      start: { local: '2024-03-05T09:00:00', zone: 'America/Los_Angeles' },
      speed: 1,
      org: { id: 'c0ffee00-0000-4000-8000-0000000000ab', name: 'Corrections Org' },
      oauthClients: [
        {
          clientId: 'lockstep-demo',
          clientSecret: 'lockstep-demo-secret',
          permissions: ['wfm', 'presence', 'routing', 'telephony', 'directory'],
        },
      ],
      queues: [{ id: QUEUE, name: 'Corrections', callsPerMinute: 0 }],
      agentGroups: [
        {
          id: 'corr',
          count: 3,
          namePattern: 'Corrections Agent {n}',
          queues: [QUEUE],
          presence: 'Available',
          station: 'associated',
        },
      ],
    }),
  );
  return file;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-engine-corrections-'));
  // Corrections of one agent may follow each other after 1 s (default 30 s), so the flap plays out sooner.
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ corrections: { minSpacingMs: 1_000 } }));
  [sim, server] = await Promise.all([startSim({ scenario: scenario(dir) }), startRedis()]);
  redis = connectRedis(server.url);
  runtime = await startEngineRuntime(
    loadConfig({
      GENESYS_API_BASE: sim.baseUrl,
      GENESYS_CLIENT_ID: 'lockstep-demo',
      GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
      REDIS_URL: server.url,
      LOCKSTEP_AGENTS: `queue:${QUEUE}`,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_POLICY_FILE: policy,
      LOCKSTEP_INSTANCE_ID: 'corrections-engine',
      LOCKSTEP_CORRECTIONS: 'apply',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    }),
    pino({ level: 'silent' }),
  );
  await runtime.engine.idle();
  agents = (await sim.control<Truth[]>('GET', '/__sim/agents')).sort((a, b) => a.name.localeCompare(b.name));
  expect(agents).toHaveLength(3);
  await sim.control('PATCH', '/__sim/settings', { logReads: true });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

const logged = async (query: string) =>
  (await sim.control<{ entities: Logged[] }>('GET', `/__sim/requests?${query}`)).entities;
const readsOf = (agentId: string) => logged(`agentId=${agentId}&method=GET`);
const writesOf = async (agentId: string) =>
  (await logged(`agentId=${agentId}`)).filter((r) => r.method !== 'GET');

async function audit(agentId: string): Promise<AuditDetail[]> {
  const history = await createReads({ redis, keys: createKeys(PREFIX) }).readHistory(agentId, { count: 100 });
  return history
    .filter((h) => h.cause === 'correction')
    .reverse()
    .map((h) => JSON.parse(h.detail) as AuditDetail);
}

const onQueue: CorrectionTarget = {
  kind: 'set-presence',
  target: { presence: 'ON_QUEUE', definitionId: null },
};
function correct(agentId: string, name: string): string {
  const id = `${name}:c1`;
  const effect: Effect = {
    type: 'correction.intended',
    intent: {
      ...onQueue,
      id,
      agentId,
      ruleId: 'on-queue-not-routable',
      findingId: name,
      attempt: 1,
      reason: 'test',
      notBefore: Date.now(),
    },
  };
  runtime.corrections.executeCommitted(agentId, [effect], runtime.engine.leadership.token() as number);
  return id;
}

async function settled(agentId: string, intentId: string): Promise<AuditDetail[]> {
  await pollUntil(
    async () => (await audit(agentId)).some((d) => d.intentId === intentId && d.outcome === 'applied'),
    { timeoutMs: 20_000, what: `${intentId} applied` },
  );
  return (await audit(agentId)).filter((d) => d.intentId === intentId);
}

describe('confirmation of a correction', () => {
  it('is the event: the committed state confirms it, and the only read is the guards’ read before the send', async () => {
    const agentId = (agents[0] as Truth).id;
    await sim.control('DELETE', '/__sim/requests');
    const entries = await settled(agentId, correct(agentId, 'by-event'));
    expect(entries.map((d) => d.outcome)).toEqual(['sent', 'applied']);
    expect(entries[1]?.confirmedBy).toBe('event');
    // The attempt names the platform's correlation id of the (successful) request.
    expect(entries[0]).toMatchObject({ status: 200, request: { method: 'PATCH' } });
    expect(entries[0]?.correlationId).toMatch(UUID);
    expect((await writesOf(agentId)).map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 200']);
    expect((await readsOf(agentId)).map((r) => r.path)).toEqual(['/api/v2/users']);
  }, 30_000);

  it('is a REST read when the agent’s events are muted', async () => {
    const agentId = (agents[1] as Truth).id;
    const fault = await sim.control<{ id: string }>('POST', '/__sim/faults', {
      kind: 'events',
      mode: 'drop',
      agentId,
    });
    try {
      await sim.control('DELETE', '/__sim/requests');
      const entries = await settled(agentId, correct(agentId, 'by-read'));
      expect(entries.map((d) => d.outcome)).toEqual(['sent', 'applied']);
      expect(entries[1]?.confirmedBy).toBe('read');
      expect((await writesOf(agentId)).map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 200']);
      // The guards' read, then the confirming read.
      expect((await readsOf(agentId)).map((r) => r.path)).toEqual(['/api/v2/users', '/api/v2/users']);
    } finally {
      await sim.control('DELETE', `/__sim/faults/${fault.id}`);
    }
  }, 30_000);
});

type Outbound = { type: string; declaration?: DeclarationReport };

describe('flap guard', () => {
  it('stops after N corrections when another system reverts each one, and escalates once naming it', async () => {
    const agentId = (agents[2] as Truth).id;
    const maxPerWindow = 3;
    // The agent's own client puts the previous presence back 1.5 s after anyone else changes it.
    await sim.control('POST', '/__sim/actions', {
      type: 'revert-presence',
      agentId,
      enabled: true,
      revertAfterMs: 1_500,
    });
    try {
      await sim.control('DELETE', '/__sim/requests');
      const results = await sendBulkDeclaration(
        createCommandQueue({ redis, keys: createKeys(PREFIX) }),
        {
          by: 'external-wfm',
          presence: 'ON_QUEUE',
          validFrom: Date.now(),
          ttlMs: 3_600_000,
          reason: 'ready push',
          declarations: [{ agentId }],
        },
        Date.now(),
      );
      expect(results.map((r) => r.status)).toEqual(['sent']);
      const reads = createReads({ redis, keys: createKeys(PREFIX) });
      const outcome = async () => {
        const record = await reads.readAgent(agentId);
        const context = (record?.machine as { context?: { desired?: DeclarationReport | null } } | null)
          ?.context;
        return context?.desired?.outcome ?? null;
      };
      await pollUntil(async () => (await outcome())?.why?.startsWith('flap guard') === true, {
        timeoutMs: 60_000,
        what: 'the flap guard holds',
        explain: async () => JSON.stringify(await outcome()),
      });
      // Time for anything more to go out, had the guard let it.
      await new Promise((r) => setTimeout(r, 4_000));
      const writes = await writesOf(agentId);
      expect(writes).toHaveLength(maxPerWindow);
      expect(writes.every((r) => r.status === 200 && !r.midInteraction)).toBe(true);
      expect(await outcome()).toMatchObject({
        status: 'deferred',
        why: `flap guard: ${maxPerWindow} corrections of this agent within the window; last reverted by PURECLOUD`,
      });
      const keys = createKeys(PREFIX);
      const outbox = (await redis.xrange(keys.outboxStream(0), '-', '+')).map(
        ([, fields]) => JSON.parse(fields[fields.indexOf('body') + 1] ?? 'null') as Outbound,
      );
      const mine = outbox.filter((e) => e.declaration?.agentId === agentId);
      // One effect (an alert) carries the escalation: the revert that tripped the guard, deferred with why.
      const escalations = mine.filter((e) => e.declaration?.outcome.why?.startsWith('flap guard'));
      expect(escalations.map((e) => e.type)).toEqual(['declaration.reverted']);
      const reverted = mine.filter((e) => e.type === 'declaration.reverted');
      expect(reverted.length).toBeGreaterThanOrEqual(maxPerWindow - 1);
      expect(new Set(reverted.map((e) => e.declaration?.revertedBy))).toEqual(new Set(['PURECLOUD']));
      // Each correction was sent once and counted: one `sent` per intent, never a second send of one.
      const sent = (await audit(agentId)).filter((d) => d.outcome === 'sent');
      expect(sent).toHaveLength(maxPerWindow);
      expect(new Set(sent.map((d) => d.intentId)).size).toBe(maxPerWindow);
    } finally {
      await sim.control('POST', '/__sim/actions', { type: 'revert-presence', agentId, enabled: false });
    }
  }, 90_000);
});
