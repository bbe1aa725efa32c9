/**
 * The Tuesday 09:00 story with lockstep doing the "ready" push: thirty Billing seats, each on a live call at
 * 09:00, should be On Queue from 09:00. The simulator holds the client to 300 requests per minute and answers a
 * burst beyond it with 429. The intents are handed to the engine's correction executor as committed
 * `correction.intended` effects under the engine's fencing token (the path a declaration takes), and the engine
 * runs with `LOCKSTEP_CORRECTIONS=apply`. The scenario is the seed one without its external push (so every
 * change comes from lockstep) and with the 300/min limit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorrectionIntent, Effect } from '@lockstep/domain';
import { pollUntil, repoRoot } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.js';

const QUEUE = '9b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3';
/** Seconds from the end of an agent's interaction to On Queue that count as "within seconds". */
const LAG_BOUND_MS = 8_000;

interface Truth {
  id: string;
  name: string;
  presence: { systemPresence: string };
  activeInteractions: number;
}
interface Logged {
  method: string;
  agentIds: string[];
  midInteraction: boolean;
  status: number;
  clientId: string | null;
}

let stack: Stack;
let agents: Truth[];
const group = (letter: string) =>
  agents.filter((a) => new RegExp(`^Billing Agent ${letter}\\d`).test(a.name));
const steady = () => agents.filter((a) => /^Billing Agent \d/.test(a.name));

function scenarioFile(): string {
  const seed = JSON.parse(
    readFileSync(join(repoRoot, 'services/genesys-sim/scenarios/tuesday-0900-ready-push.json'), 'utf8'),
  ) as { timeline?: unknown; oauthClients: Array<Record<string, unknown>> };
  delete seed.timeline;
  for (const client of seed.oauthClients) client.rateLimitPerMinute = 300;
  const file = join(mkdtempSync(join(tmpdir(), 'lockstep-corrections-')), 'tuesday-lockstep-push.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

const requests = (query: string) =>
  stack.sim.control<{ entities: Logged[]; total: number }>('GET', `/__sim/requests?${query}`);

async function auditOf(agentId: string): Promise<Array<{ outcome: string; reason: string | null }>> {
  const history = await stack.reads.readHistory(agentId, { count: 200 });
  return history
    .filter((h) => h.cause === 'correction')
    .reverse()
    .map((h) => JSON.parse(h.detail) as { outcome: string; reason: string | null });
}

beforeAll(async () => {
  stack = await startStack({
    scenario: scenarioFile(),
    engineEnv: {
      LOCKSTEP_AGENTS: `queue:${QUEUE}`,
      LOCKSTEP_CORRECTIONS: 'apply',
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '300',
    },
  });
  agents = [...(await stack.truth()).values()] as unknown as Truth[];
  expect(agents).toHaveLength(30);
  await pollUntil(
    async () => (await Promise.all(agents.map((a) => stack.reads.readAgent(a.id)))).every(Boolean),
    {
      timeoutMs: 20_000,
      what: 'every seat committed',
    },
  );
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe('corrections on the Tuesday 09:00 story', () => {
  it('puts every seat On Queue once its call ends, never mid-call, never a dead softphone, without a 429', async () => {
    const { engine, corrections } = stack.runtime;
    // The softphones of the D agents are reported dead (what a station health report tells the engine).
    const dead = group('D');
    expect(dead).toHaveLength(5);
    for (const a of dead) {
      engine.submit(
        a.id,
        {
          type: 'SIGNAL',
          update: { signal: 'stationHealth', value: 'dead', at: Date.now(), source: 'event' },
        },
        'event',
      );
    }
    await pollUntil(
      async () =>
        (await Promise.all(dead.map((a) => stack.reads.readAgent(a.id)))).every(
          (r) => (r?.signals as { stationHealth?: { value: string } }).stationHealth?.value === 'dead',
        ),
      { timeoutMs: 10_000, what: 'dead stations committed' },
    );

    const fence = engine.leadership.token();
    expect(fence).toEqual(expect.any(Number));
    const atInjection = await stack.truth();
    const onCall = new Set(
      agents
        .filter((a) => ((atInjection.get(a.id) as unknown as Truth | undefined)?.activeInteractions ?? 0) > 0)
        .map((a) => a.id),
    );
    expect(onCall.size).toBeGreaterThan(10);
    const now = Date.now();
    for (const a of agents) {
      const intent: CorrectionIntent & { priority: string; declarationId: string } = {
        kind: 'set-presence',
        target: { presence: 'ON_QUEUE', definitionId: null },
        id: `ready-0900:${a.id}:c1`,
        agentId: a.id,
        ruleId: 'state-not-sticking',
        findingId: `ready-0900:${a.id}`,
        attempt: 1,
        reason: 'declared On Queue from 09:00',
        notBefore: now,
        priority: 'declared',
        declarationId: 'ready-0900',
      };
      const effect: Effect = { type: 'correction.intended', intent };
      corrections.executeCommitted(a.id, [effect], fence as number);
    }

    // Poll the ground truth: when each seat's interactions end, and when it is On Queue.
    const freeAt = new Map<string, number>();
    const onQueueAt = new Map<string, number>();
    const watched = [...steady(), ...group('W')];
    expect(watched).toHaveLength(19);
    let previousPoll = Date.now();
    await pollUntil(
      async () => {
        const t = Date.now();
        for (const [id, truth] of await stack.truth()) {
          const x = truth as unknown as Truth;
          if (x.presence.systemPresence === 'On Queue' && !onQueueAt.has(id)) {
            onQueueAt.set(id, t);
            // Freed and put On Queue (and maybe offered a new call) between two polls: the earlier poll bounds
            // the moment it was freed, so the lag measured is an upper bound.
            if (!freeAt.has(id)) freeAt.set(id, previousPoll);
          }
          if (x.activeInteractions === 0 && !freeAt.has(id)) freeAt.set(id, t);
        }
        previousPoll = t;
        return watched.every((a) => onQueueAt.has(a.id));
      },
      { timeoutMs: 150_000, intervalMs: 200, what: 'every steady and slow-wrap-up seat On Queue' },
    );
    for (const a of watched) {
      const lag = (onQueueAt.get(a.id) as number) - (freeAt.get(a.id) as number);
      expect(lag, `${a.name}: On Queue ${lag} ms after its interactions ended`).toBeGreaterThanOrEqual(0);
      expect(lag, `${a.name}: On Queue ${lag} ms after its interactions ended`).toBeLessThan(LAG_BOUND_MS);
    }
    // The dead softphones are refused, with the reason, once their call ends; nothing is sent for them.
    await pollUntil(
      async () =>
        (await Promise.all(dead.map((a) => auditOf(a.id)))).every((entries) =>
          entries.some((e) => e.outcome === 'refused' && e.reason === 'station known dead'),
        ),
      { timeoutMs: 90_000, what: 'dead softphones refused' },
    );
    for (const a of dead) {
      expect((await requests(`agentId=${a.id}&method=PATCH`)).total, a.name).toBe(0);
      expect((await requests(`agentId=${a.id}&method=PUT`)).total, a.name).toBe(0);
    }
    await corrections.idle();
    // Each agent on a call at 09:00 was deferred first, then applied.
    for (const a of watched.filter((x) => onCall.has(x.id))) {
      const outcomes = (await auditOf(a.id)).map((e) => e.outcome);
      expect(outcomes.indexOf('deferred'), a.name).toBeGreaterThanOrEqual(0);
      expect(outcomes.indexOf('applied'), a.name).toBeGreaterThan(outcomes.indexOf('deferred'));
    }

    // The request log: no 429 at all, nothing reached an agent mid-interaction, and each On Queue seat named by
    // a presence write (its own PATCH, or a bulk write shared with the seats freed at the same time).
    expect((await requests('status=429')).total).toBe(0);
    expect((await requests('midInteraction=true&method=PATCH')).entities).toEqual([]);
    expect((await requests('midInteraction=true&method=PUT')).entities).toEqual([]);
    const presenceWrites = [
      ...(await requests('method=PATCH&clientId=lockstep-demo')).entities,
      ...(await requests('method=PUT&path=/presences/bulk&clientId=lockstep-demo')).entities,
    ];
    const patched = new Set(presenceWrites.flatMap((r) => r.agentIds));
    for (const a of [...watched, ...group('F')]) expect(patched.has(a.id), a.name).toBe(true);
    expect(presenceWrites.every((r) => r.status === 200)).toBe(true);
  }, 300_000);
});
