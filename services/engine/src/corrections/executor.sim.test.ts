/**
 * The correction executor against the real simulator (official SDK over real sockets) and a real redis-server,
 * under a real lease keeper: dry-run, the lease seam, a confirmed correction with its audit, and a property over
 * random interleavings of calls, presence changes by others and intents.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorrectionTarget, Effect } from '@lockstep/domain';
import { createGenesysApi, createManualClock, type GenesysApi, systemClock } from '@lockstep/genesys';
import {
  connectRedis,
  createKeys,
  createLeases,
  createOutbox,
  createReads,
  type RedisClient,
} from '@lockstep/store';
import { pollUntil, type RedisServer, type SimProcess, startRedis, startSim } from '@lockstep/testkit';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CorrectionsConfig } from '../config.js';
import { createLeaseKeeper, type LeaseKeeper } from '../lease-keeper.js';
import { createMetrics } from '../metrics.js';
import { createCorrections } from './create.js';
import type { CorrectionExecutor } from './executor.js';

const QUEUE = 'c0ffee00-0000-4000-8000-000000000001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const logger = pino({ level: 'silent' });
let sim: SimProcess;
let server: RedisServer;
let redis: RedisClient;
let api: GenesysApi;
let agents: string[];
let prefixN = 0;

interface Logged {
  seq: number;
  method: string;
  agentIds: string[];
  midInteraction: boolean;
  status: number;
}
interface Truth {
  id: string;
  presence: { systemPresence: string; definitionId: string };
  routingStatus: { status: string };
  activeInteractions: number;
}

function scenario(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lockstep-executor-')), 'world.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'executor-world',
      seed: 7,
      start: { local: '2024-03-05T09:00:00', zone: 'America/Los_Angeles' },
      speed: 1,
      org: { id: 'c0ffee00-0000-4000-8000-0000000000aa', name: 'Executor Org' },
      oauthClients: [
        {
          clientId: 'lockstep-demo',
          clientSecret: 'lockstep-demo-secret',
          permissions: ['wfm', 'presence', 'routing', 'telephony', 'directory'],
        },
      ],
      platform: { alertingTimeoutSec: 8 },
      queues: [{ id: QUEUE, name: 'Executor', callsPerMinute: 0, handleTimeSec: { mean: 3 }, wrapupSec: 1 }],
      agentGroups: [
        {
          id: 'exec',
          count: 4,
          namePattern: 'Executor Agent {n}',
          queues: [QUEUE],
          presence: 'Available',
          station: 'associated',
          behaviour: { answerProbability: 1, answerDelaySec: { min: 0, max: 1 } },
        },
      ],
    }),
  );
  return file;
}

const truth = async () => new Map((await sim.control<Truth[]>('GET', '/__sim/agents')).map((t) => [t.id, t]));
const requests = (query: string) =>
  sim.control<{ entities: Logged[]; total: number }>('GET', `/__sim/requests?${query}`);
const writes = async () =>
  [...(await requests('method=PATCH')).entities, ...(await requests('method=PUT')).entities].sort(
    (x, y) => x.seq - y.seq,
  );

interface Harness {
  readonly executor: CorrectionExecutor;
  readonly keeper: LeaseKeeper;
  readonly leaseClock: ReturnType<typeof createManualClock>;
  readonly prefix: string;
  readonly metrics: ReturnType<typeof createMetrics>;
  close(): Promise<void>;
}

async function harness(mode: CorrectionsConfig['mode'], confirmTimeoutMs = 5_000): Promise<Harness> {
  const prefix = `exec${++prefixN}:`;
  const keys = createKeys(prefix);
  // The lease runs on a clock of its own, so a test can stop it as a paused process would see it.
  const leaseClock = createManualClock(Date.now());
  const keeper = createLeaseKeeper({
    leases: createLeases({ redis, keys }),
    name: 'engine:shard:0',
    owner: `exec-${prefixN}`,
    ttlMs: 5_000,
    // No renewal falls inside the tests' advances: a paused process renews nothing.
    renewMs: 60_000,
    clock: leaseClock,
    logger,
    onAcquired: () => undefined,
    onLost: () => undefined,
  });
  expect(await keeper.start()).toBe(true);
  const metrics = createMetrics();
  const executor = createCorrections({
    config: { mode, budgetShare: 0.5, confirmTimeoutMs, maxSends: 2, deferMaxMs: 60_000 },
    redis,
    keyPrefix: prefix,
    api,
    clientId: 'lockstep-demo',
    rateLimitPerMinute: 3_000,
    instanceId: `exec-${prefixN}`,
    historyMaxLen: 100,
    clock: systemClock,
    logger,
    metrics,
    leadership: () => keeper,
    tuning: { confirmEveryMs: 200, deferCheckMs: 200, jitterMs: 20 },
  });
  return {
    executor,
    keeper,
    leaseClock,
    prefix,
    metrics,
    async close() {
      await executor.close();
      await keeper.close();
    },
  };
}

let n = 0;
function intent(agentId: string, target: CorrectionTarget, notBefore = Date.now()): Effect {
  n += 1;
  return {
    type: 'correction.intended',
    intent: {
      ...target,
      id: `finding-${n}:c1`,
      agentId,
      ruleId: 'on-queue-not-routable',
      findingId: `finding-${n}`,
      attempt: 1,
      reason: 'test',
      notBefore,
    },
  };
}
const onQueue: CorrectionTarget = {
  kind: 'set-presence',
  target: { presence: 'ON_QUEUE', definitionId: null },
};
const available: CorrectionTarget = {
  kind: 'set-presence',
  target: { presence: 'AVAILABLE', definitionId: null },
};

async function audit(prefix: string, agentId: string) {
  const history = await createReads({ redis, keys: createKeys(prefix) }).readHistory(agentId, { count: 100 });
  return history
    .filter((h) => h.cause === 'correction')
    .reverse()
    .map((h) => ({ ...h, detail: JSON.parse(h.detail) as Record<string, unknown> }));
}

beforeAll(async () => {
  [sim, server] = await Promise.all([startSim({ scenario: scenario() }), startRedis()]);
  redis = connectRedis(server.url);
  api = createGenesysApi({
    options: {
      target: { apiBase: sim.baseUrl },
      clientId: 'lockstep-demo',
      clientSecret: 'lockstep-demo-secret',
      pacing: { ratePerMinute: 3_000 },
    },
    logger,
  });
  await api.start();
  agents = [...(await truth()).keys()].sort();
  expect(agents).toHaveLength(4);
}, 60_000);

afterAll(async () => {
  api?.close();
  await redis?.quit();
  await Promise.all([sim?.stop(), server?.stop()]);
});

beforeEach(async () => {
  for (const agentId of agents) {
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Available' });
  }
  await sim.control('DELETE', '/__sim/requests');
});

describe('correction executor', () => {
  it('dry-run audits the exact request it would send and sends nothing', async () => {
    const h = await harness('dry-run');
    try {
      const agentId = agents[0] as string;
      h.executor.executeCommitted(agentId, [intent(agentId, onQueue)], h.keeper.token() as number);
      await h.executor.idle();
      const entries = await audit(h.prefix, agentId);
      const world = await truth();
      const onQueueDef = [...world.values()].find((t) => t.presence.systemPresence === 'On Queue');
      expect(entries.map((e) => e.detail.outcome)).toEqual(['dry-run']);
      expect(entries[0]?.detail).toMatchObject({
        request: { method: 'PATCH', path: `/api/v2/users/${agentId}/presences/purecloud` },
        fence: h.keeper.token(),
        before: { presence: { system: 'AVAILABLE' } },
      });
      expect(entries[0]?.from).toBe('AVAILABLE/OFF_QUEUE');
      expect(entries[0]?.to).toBe('ON_QUEUE');
      const body = (entries[0]?.detail.request as { body: { presenceDefinition: { id: string } } }).body;
      expect(body.presenceDefinition.id).toMatch(/.+/);
      // Nobody is On Queue in this world yet: the id came from the org's definitions, not from an agent.
      expect(onQueueDef).toBeUndefined();
      expect(await writes()).toEqual([]);
      expect(world.get(agentId)?.presence.systemPresence).toBe('Available');
    } finally {
      await h.close();
    }
  });

  it('dry-run batches as it would for real: agents ready together are audited with their share of one bulk write', async () => {
    const h = await harness('dry-run');
    try {
      const [a, b] = agents as [string, string];
      const now = Date.now();
      for (const agentId of [a, b]) {
        h.executor.executeCommitted(agentId, [intent(agentId, onQueue, now)], h.keeper.token() as number);
      }
      await h.executor.idle();
      for (const agentId of [a, b]) {
        const entries = await audit(h.prefix, agentId);
        expect(entries.map((e) => e.detail.outcome)).toEqual(['dry-run']);
        expect(entries[0]?.detail.request).toMatchObject({
          method: 'PUT',
          path: '/api/v2/users/presences/bulk',
          body: { id: agentId, presenceDefinition: { id: expect.stringMatching(/.+/) }, source: 'PURECLOUD' },
          batchSize: 2,
        });
      }
      expect(await writes()).toEqual([]);
      const world = await truth();
      expect([a, b].map((id) => world.get(id)?.presence.systemPresence)).toEqual(['Available', 'Available']);
    } finally {
      await h.close();
    }
  });

  it('applies, confirms and audits a correction with its status and fencing token; the outcome reaches the outbox', async () => {
    const h = await harness('apply');
    try {
      const agentId = agents[1] as string;
      const fence = h.keeper.token() as number;
      const effect = intent(agentId, onQueue);
      h.executor.executeCommitted(agentId, [effect], fence);
      await h.executor.idle();
      expect((await truth()).get(agentId)?.presence.systemPresence).toBe('On Queue');
      const entries = await audit(h.prefix, agentId);
      expect(entries.map((e) => e.detail.outcome)).toEqual(['sent', 'applied']);
      expect(entries[0]?.detail).toMatchObject({ status: 200, attempt: 1, fence, intentAttempt: 1 });
      // The platform's correlation id of the successful request.
      expect(entries[0]?.detail.correlationId).toMatch(UUID);
      expect(entries[1]?.detail.confirmedBy).toBe('read');
      const sent = await writes();
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        method: 'PATCH',
        agentIds: [agentId],
        status: 200,
        midInteraction: false,
      });
      const outbox = createOutbox({ redis, keys: createKeys(h.prefix), group: 'test' });
      await outbox.ensureGroup('all');
      const messages = await outbox.readGroup('t', 10, 0);
      expect(messages.map((m) => (m.effect as { type: string }).type)).toEqual(['correction.applied']);
      // The same intent handed over again (a replay after a restart) sends nothing: the lock knows it was sent,
      // even once another system has changed the presence back.
      await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Available' });
      h.executor.executeCommitted(agentId, [effect], fence);
      await h.executor.idle();
      expect(await writes()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('batches presence corrections ready together into one bulk write, each agent guarded, audited and confirmed on its own', async () => {
    const h = await harness('apply');
    try {
      const [a, b, busy] = agents as [string, string, string];
      // The third agent is On Queue and takes a call; lockstep wants it Available.
      await sim.control('POST', '/__sim/actions', {
        type: 'set-presence',
        agentId: busy,
        presence: 'On Queue',
      });
      await sim.control('POST', '/__sim/actions', { type: 'offer-call', queueId: QUEUE, agentId: busy });
      await pollUntil(async () => ((await truth()).get(busy)?.activeInteractions ?? 0) > 0, {
        timeoutMs: 5_000,
        what: 'the call offered',
      });
      const fence = h.keeper.token() as number;
      const now = Date.now();
      for (const agentId of [a, b, busy]) {
        h.executor.executeCommitted(
          agentId,
          [intent(agentId, agentId === busy ? available : onQueue, now)],
          fence,
        );
      }
      await h.executor.idle();
      const sent = await writes();
      // One request for the two free agents; the agent on a call was left out and corrected after the call.
      expect(sent[0]).toMatchObject({ method: 'PUT', status: 200, midInteraction: false });
      expect([...(sent[0]?.agentIds ?? [])].sort()).toEqual([a, b].sort());
      expect(sent.slice(1).map((r) => r.agentIds)).toEqual([[busy]]);
      expect(sent.every((r) => !r.midInteraction)).toBe(true);
      const world = await truth();
      for (const agentId of [a, b]) expect(world.get(agentId)?.presence.systemPresence).toBe('On Queue');
      expect(world.get(busy)?.presence.systemPresence).toBe('Available');
      const [auditA, auditB, auditBusy] = await Promise.all([a, b, busy].map((id) => audit(h.prefix, id)));
      for (const [agentId, entries] of [
        [a, auditA],
        [b, auditB],
      ] as const) {
        expect(entries?.map((e) => e.detail.outcome)).toEqual(['sent', 'applied']);
        expect(entries?.[0]?.detail).toMatchObject({
          status: 200,
          fence,
          request: {
            method: 'PUT',
            path: '/api/v2/users/presences/bulk',
            body: { id: agentId, source: 'PURECLOUD' },
            batchSize: 2,
          },
        });
        expect(entries?.[0]?.detail.correlationId).toMatch(UUID);
      }
      // The same request: one correlation id for both agents.
      expect(auditA?.[0]?.detail.correlationId).toBe(auditB?.[0]?.detail.correlationId);
      expect(auditBusy?.map((e) => e.detail.outcome)).toEqual(['deferred', 'sent', 'applied']);
      expect(auditBusy?.[1]?.detail.request).toMatchObject({ method: 'PATCH' });
      const requests = (await h.metrics.correctionRequests.get()).values;
      expect(requests).toContainEqual(
        expect.objectContaining({ labels: { kind: 'set-presence-bulk', status: '200' }, value: 1 }),
      );
    } finally {
      await h.close();
    }
  }, 60_000);

  it('sends nothing once the lease lapsed (a paused process) or changed hands', async () => {
    const h = await harness('apply');
    try {
      const [a, b] = agents as [string, string];
      const fence = h.keeper.token() as number;
      h.executor.executeCommitted(a, [intent(a, onQueue, Date.now() + 300)], fence);
      // The process is paused past its lease: its local deadline is behind it when the intent comes due.
      h.leaseClock.advance(10_000);
      expect(h.keeper.token()).toBeNull();
      await h.executor.idle();
      // An intent committed under an older token than the lease's current one is not sent either.
      const other = await harness('apply');
      try {
        other.executor.executeCommitted(b, [intent(b, onQueue)], (other.keeper.token() as number) - 1);
        await other.executor.idle();
      } finally {
        await other.close();
      }
      expect(await writes()).toEqual([]);
      const world = await truth();
      expect(world.get(a)?.presence.systemPresence).toBe('Available');
      expect(world.get(b)?.presence.systemPresence).toBe('Available');
      expect((await h.metrics.correctionOutcomes.get()).values).toContainEqual(
        expect.objectContaining({ labels: { outcome: 'dropped' }, value: 1 }),
      );
    } finally {
      await h.close();
    }
  });

  it('stops after maxSends when another system reverts every change, and escalates naming the source seen', async () => {
    const h = await harness('apply', 1_000);
    const agentId = agents[3] as string;
    // The agent's own client puts the previous presence back 50 ms after anyone else changes it.
    await sim.control('POST', '/__sim/actions', {
      type: 'revert-presence',
      agentId,
      enabled: true,
      revertAfterMs: 50,
    });
    try {
      h.executor.executeCommitted(agentId, [intent(agentId, onQueue)], h.keeper.token() as number);
      await h.executor.idle();
      const entries = await audit(h.prefix, agentId);
      expect(entries.map((e) => e.detail.outcome)).toEqual(['sent', 'sent', 'failed']);
      expect(entries[2]?.detail.reason).toMatch(
        /^not confirmed after 2 sends: AVAILABLE\/OFF_QUEUE set by \S+$/,
      );
      expect(entries[2]?.detail.observed).toMatchObject({ presence: { system: 'AVAILABLE' } });
      const sent = await writes();
      expect(sent.map((r) => r.status)).toEqual([200, 200]);
      const world = await truth();
      expect(world.get(agentId)?.presence.systemPresence).toBe('Available');
      const outbox = createOutbox({ redis, keys: createKeys(h.prefix), group: 'test' });
      await outbox.ensureGroup('all');
      const types = (await outbox.readGroup('t', 10, 0)).map((m) => (m.effect as { type: string }).type);
      expect(types).toEqual(['correction.failed']);
    } finally {
      await sim.control('POST', '/__sim/actions', { type: 'revert-presence', agentId, enabled: false });
      await h.close();
    }
  }, 60_000);

  it('property: over random interleavings of calls, presence changes and intents, no request reaches a busy agent', async () => {
    const h = await harness('apply', 2_000);
    const step = fc.oneof(
      fc.record({ op: fc.constant('intent' as const), agent: fc.nat(3), on: fc.boolean() }),
      fc.record({ op: fc.constant('call' as const), agent: fc.nat(3) }),
      fc.record({ op: fc.constant('end' as const), agent: fc.nat(3) }),
      fc.record({ op: fc.constant('hold' as const), agent: fc.nat(3) }),
      fc.record({ op: fc.constant('presence' as const), agent: fc.nat(3), on: fc.boolean() }),
      fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 50, max: 600 }) }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 10 }), async (steps) => {
          for (const s of steps) {
            const agentId = 'agent' in s ? (agents[s.agent] as string) : '';
            if (s.op === 'intent') {
              h.executor.executeCommitted(
                agentId,
                [intent(agentId, s.on ? onQueue : available)],
                h.keeper.token() as number,
              );
            } else if (s.op === 'call') {
              await sim.control('POST', '/__sim/actions', { type: 'offer-call', queueId: QUEUE, agentId });
            } else if (s.op === 'end') {
              await sim
                .control('POST', '/__sim/actions', { type: 'end-call', agentId })
                .catch(() => undefined);
            } else if (s.op === 'hold') {
              await sim
                .control('POST', '/__sim/actions', { type: 'hold-call', agentId, held: true })
                .catch(() => undefined);
            } else if (s.op === 'presence') {
              const presence = s.on ? 'On Queue' : 'Available';
              await sim.control('POST', '/__sim/actions', {
                type: 'set-presence',
                agentId,
                presence,
                by: 'other-system',
              });
            } else {
              await new Promise((r) => setTimeout(r, s.ms));
            }
          }
          await h.executor.idle();
          expect((await requests('midInteraction=true&method=PATCH')).entities).toEqual([]);
          expect((await requests('midInteraction=true&method=PUT')).entities).toEqual([]);
        }),
        { numRuns: 12 },
      );
      // The runs did send corrections (the property is not vacuous).
      expect((await writes()).length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  }, 240_000);
});
