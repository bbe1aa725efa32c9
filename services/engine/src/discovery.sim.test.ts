import { createGenesysApi, type GenesysApi, systemClock } from '@lockstep/genesys';
import { pollUntil, type SimProcess, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery } from './discovery.js';
import { parseSelector } from './selector.js';

const SUPPORT = '4750048b-1994-41d4-8410-a5760c49a6cd';
const DIVISION = '0d1f1e2a-0000-4000-8000-000000000001';
const MU = '2d4c6e8a-0b1d-4f3e-9a7c-5e6f7a8b9c0d';

interface Truth {
  id: string;
  name: string;
  divisionId: string;
  managementUnitId: string | null;
}

let sim: SimProcess;
let api: GenesysApi;
let truth: Truth[];
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  sim = await startSim({ scenario: 'calm-day' });
  api = createGenesysApi({
    options: {
      target: { apiBase: sim.baseUrl },
      clientId: 'lockstep-demo',
      clientSecret: 'lockstep-demo-secret',
      pacing: { ratePerMinute: 3000 },
    },
    logger,
  });
  await api.start();
  truth = await sim.control<Truth[]>('GET', '/__sim/agents');
}, 60_000);

afterAll(async () => {
  api?.close();
  await sim?.stop();
});

function discover(selector: string, shard = { index: 0, count: 1 }) {
  const changes: Array<{ added: readonly string[]; removed: readonly string[] }> = [];
  const discovery = createDiscovery({
    api,
    selector: parseSelector(selector),
    shard,
    logger,
    clock: systemClock,
    intervalMs: 60_000,
    membershipDebounceMs: 20,
    onChange: async (c) => {
      changes.push(c);
    },
  });
  return { discovery, changes };
}

const sorted = (ids: Iterable<string>) => [...ids].sort();

describe('discovery against the simulator', () => {
  it('resolves queue, division, management-unit and user selectors', async () => {
    const support = truth.filter((a) => a.name.startsWith('Support Agent')).map((a) => a.id);
    const q = discover(`queue:${SUPPORT}`);
    expect(sorted(await q.discovery.start())).toEqual(sorted(support));
    await q.discovery.close();

    const d = discover(`division:${DIVISION}`);
    expect(sorted(await d.discovery.start())).toEqual(
      sorted(truth.filter((a) => a.divisionId === DIVISION).map((a) => a.id)),
    );
    await d.discovery.close();

    const m = discover(`mu:${MU}`);
    expect(sorted(await m.discovery.start())).toEqual(
      sorted(truth.filter((a) => a.managementUnitId === MU).map((a) => a.id)),
    );
    await m.discovery.close();

    const one = truth[0] as Truth;
    const u = discover(`user:${one.id},queue:no-such-queue`);
    expect(await u.discovery.start()).toEqual([one.id]);
    await u.discovery.close();
  });

  it('splits the agents between shards without overlap', async () => {
    const halves = await Promise.all(
      [0, 1].map(async (index) => {
        const s = discover(`division:${DIVISION}`, { index, count: 2 });
        const ids = await s.discovery.start();
        await s.discovery.close();
        return ids;
      }),
    );
    const [a, b] = halves as [readonly string[], readonly string[]];
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(a.length + b.length).toBe(truth.filter((t) => t.divisionId === DIVISION).length);
  });

  it('adds an agent live when it joins a selected queue', async () => {
    const { discovery, changes } = discover(`queue:${SUPPORT}`);
    await discovery.start();
    const newcomer = truth.find((a) => !discovery.agents().has(a.id)) as Truth;
    expect(newcomer).toMatchObject({ id: expect.any(String) });
    await sim.control('POST', '/__sim/actions', {
      type: 'join-queue',
      agentId: newcomer.id,
      queueId: SUPPORT,
    });
    discovery.onMembership(SUPPORT.toUpperCase()); // topic ids compare case-insensitively
    const deadline = Date.now() + 5_000;
    while (changes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(changes).toEqual([{ added: [newcomer.id], removed: [] }]);
    expect(discovery.agents().has(newcomer.id)).toBe(true);
    discovery.onMembership('some-other-queue');
    await discovery.refresh('test');
    expect(changes).toHaveLength(1);
    await discovery.close();
  });
});

describe('discovery during a platform outage', () => {
  it('is not ready while the selector cannot be read, retries, and tracks the agents once the outage ends', async () => {
    const { discovery, changes } = discover(`queue:${SUPPORT}`);
    // A 500 on every REST call for 4 s: the pacer's own retries give up, discovery keeps trying.
    await sim.control('POST', '/__sim/faults', {
      kind: 'server-errors',
      status: 500,
      probability: 1,
      durationMs: 4_000,
    });
    const faultEnds = Date.now() + 4_000;
    expect(await discovery.start()).toEqual([]);
    expect(discovery.ready()).toBe(false);
    expect(discovery.failing()).toEqual([`queue:${SUPPORT}`]);
    const tracked = await pollUntil(() => (discovery.ready() ? Date.now() : undefined), {
      timeoutMs: 15_000,
      what: 'discovery to become ready after the outage',
    });
    expect(tracked - faultEnds).toBeLessThan(8_000);
    const members = (await api.users.listQueueMembers(SUPPORT)).flatMap((m) => m.id ?? []);
    expect(members.length).toBeGreaterThan(0);
    expect(sorted(discovery.agents())).toEqual(sorted(members));
    expect(changes.map((c) => [sorted(c.added), c.removed])).toEqual([[sorted(members), []]]);
    expect(discovery.failing()).toEqual([]);
    await discovery.close();
  });
});
