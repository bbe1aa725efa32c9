/**
 * Redis faults end to end: Redis is killed with SIGKILL while agents change state in the simulator (so that the
 * engine's commits fail and events are lost), then restarted from its append-only file. Within 10 s of Redis
 * answering again, every agent's view in Redis equals the simulator's ground truth, `/healthz` said Redis was
 * unreachable meanwhile, and no finding is lost: one that cleared during the outage resolves, one that arose
 * during it opens, and both changes reach the outbox stream.
 */
import { createKeys, createOutbox, type Outbox } from '@lockstep/store';
import { pollUntil } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForFinding, waitForResolution } from '../support/findings.js';
import { fixture, type Stack, startStack } from '../support/stack.js';
import { engineView, sameView, truthView } from '../support/views.js';

const AGENTS = Array.from({ length: 10 }, (_, i) => `fault-agent-${String(i + 1).padStart(2, '0')}`);
/** Agents whose presence the tests move around; the first two carry the findings. */
const MOVED = AGENTS.slice(2);
const PRESENCES = ['On Queue', 'Available', 'Break', 'Meeting', 'Away'] as const;
const RULE = 'stuck-not-responding';
/** The bound of the suite: agreement within this long after Redis answers again. */
const CONVERGE_MS = 10_000;

let stack: Stack;
let outbox: Outbox;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('faults-world.json'),
    redis: { appendOnly: true },
    engineEnv: {
      LOCKSTEP_AGENTS: 'division:e2e-faults-division',
      LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    },
  });
  // A consumer of the outbox (as a notifier would be), created before anything happens.
  outbox = createOutbox({ redis: stack.redis, keys: createKeys('e2e:'), group: 'e2e-faults-redis' });
  await outbox.ensureGroup();
  await converged(20_000, 'the first resync');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function converged(timeoutMs: number, after: string): Promise<number> {
  return pollUntil(
    async () => {
      const tracked = [...stack.runtime.engine.agents()].sort();
      if (tracked.join() !== AGENTS.join()) return false;
      const world = await stack.truth();
      for (const agentId of tracked) {
        const t = world.get(agentId);
        if (t === undefined || !sameView(await engineView(stack.reads, agentId), truthView(t))) return false;
      }
      return Date.now();
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: `the engine's view to equal the simulator's ground truth for every agent after ${after}`,
      explain: async () => stack.explain(AGENTS),
    },
  );
}

async function changeStates(round: number): Promise<void> {
  for (const [i, agentId] of MOVED.entries()) {
    await stack.act({ type: 'set-presence', agentId, presence: PRESENCES[(i + round) % PRESENCES.length] });
  }
}

async function healthz(): Promise<{ status: number; body: { ok: boolean; redis: string } }> {
  const res = await fetch(`http://127.0.0.1:${stack.runtime.metricsServer.port()}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; redis: string } };
}

/** The `stuck-not-responding` effects that reached the outbox since the last call, by agent (read through a group). */
async function findingEffects(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (;;) {
    const page = await outbox.readGroup('e2e', 500, 0);
    if (page.length === 0) return out;
    await outbox.ack(page);
    for (const m of page) {
      const effect = m.effect as { type: string; finding?: { ruleId: string } };
      if (effect.finding?.ruleId === RULE) out.set(m.agentId, [...(out.get(m.agentId) ?? []), effect.type]);
    }
  }
}

/**
 * Opens a `stuck-not-responding` finding on `cleared` before the outage, then during the outage clears it and
 * raises the same condition on `arising`, while every other agent changes state; then restarts Redis from its
 * AOF after `outageMs`. Returns when Redis was restarted.
 */
async function outage(outageMs: number, cleared: string, arising: string, round: number): Promise<number> {
  await stack.act({ type: 'set-routing-status', agentId: cleared, status: 'NOT_RESPONDING' });
  await waitForFinding(stack, cleared, RULE, 8_000);
  await stack.act({ type: 'set-routing-status', agentId: arising, status: 'IDLE' });
  await waitForResolution(stack, arising, RULE, 8_000);
  await converged(CONVERGE_MS, 'the set-up');
  await findingEffects();

  const killedAt = Date.now();
  await stack.redisServer.kill();
  await changeStates(round);
  await stack.act({ type: 'set-routing-status', agentId: cleared, status: 'IDLE' });
  await stack.act({ type: 'set-routing-status', agentId: arising, status: 'NOT_RESPONDING' });
  await pollUntil(async () => (await healthz()).status === 503, {
    timeoutMs: 5_000,
    what: '/healthz to report Redis unreachable',
  });
  expect((await healthz()).body).toMatchObject({ ok: false, redis: 'unreachable' });
  // Some of the outage, then more changes late in it.
  await new Promise((r) => setTimeout(r, Math.max(0, outageMs / 2 - (Date.now() - killedAt))));
  await changeStates(round + 1);
  await new Promise((r) => setTimeout(r, Math.max(0, outageMs - (Date.now() - killedAt))));
  await stack.redisServer.restart();
  return Date.now();
}

async function expectRecovered(back: number, cleared: string, arising: string): Promise<void> {
  const convergedAt = await converged(CONVERGE_MS, 'Redis returned');
  expect(convergedAt - back).toBeLessThanOrEqual(CONVERGE_MS);
  const resolvedAt = await waitForResolution(stack, cleared, RULE, CONVERGE_MS - (Date.now() - back));
  expect(resolvedAt - back).toBeLessThanOrEqual(CONVERGE_MS);
  const opened = await waitForFinding(stack, arising, RULE, CONVERGE_MS - (Date.now() - back));
  expect(opened.seenAt - back).toBeLessThanOrEqual(CONVERGE_MS);
  await pollUntil(async () => (await healthz()).status === 200, {
    timeoutMs: 5_000,
    what: '/healthz to report Redis reachable again',
  });
  // Both changes reached the outbox stream, where consumers read them.
  const effects = await findingEffects();
  expect(effects.get(cleared)).toContain('finding.resolved');
  expect(effects.get(arising)).toContain('finding.opened');
}

describe('the engine converges to the ground truth after a Redis outage, and loses no finding', () => {
  it('Redis killed with SIGKILL and restarted from its AOF 5 s later', async () => {
    const back = await outage(5_000, 'fault-agent-01', 'fault-agent-02', 1);
    await expectRecovered(back, 'fault-agent-01', 'fault-agent-02');
  }, 60_000);

  it('Redis down for 60 s', async () => {
    const back = await outage(60_000, 'fault-agent-02', 'fault-agent-01', 3);
    await expectRecovered(back, 'fault-agent-02', 'fault-agent-01');
  }, 120_000);
});
