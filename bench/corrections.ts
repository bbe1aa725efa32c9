/**
 * 1,000 agents need a correction at once (Available → On Queue, no interaction), with the simulator holding the
 * OAuth client to --limit requests per minute. The correction executor (engine wiring, real redis-server, the
 * simulator over real sockets through the official SDK) applies them; the run reports the time until every agent
 * is confirmed (`applied`), the requests it took (writes, reads), the floors at the limit (agents / limit without
 * bulk writes; the fewest requests the job needs with them; the requests this run sent), and the 429s the
 * simulator answered.
 *
 *   node --conditions=@lockstep/source --import tsx bench/corrections.ts [--agents 1000] [--limit 300] [--percent 90]
 *     [--bulk 50]
 *
 * --percent is LOCKSTEP_CORRECTIONS_BUDGET_PERCENT: the share of the limit corrections may take (the rest is left to
 * resyncs). --bulk is LOCKSTEP_CORRECTIONS_BULK_MAX (1: one PATCH per agent). Fresh and confirming reads cost one
 * request per 100 agents; no engine runs here, so no event confirms a correction: each is confirmed by a read.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Effect } from '@lockstep/domain';
import { createCorrections, createMetrics } from '@lockstep/engine';
import { createGenesysApi, systemClock } from '@lockstep/genesys';
import { connectRedis, createKeys, createLeases } from '@lockstep/store';
import { startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    limit: { type: 'string', default: '300' },
    percent: { type: 'string', default: '90' },
    bulk: { type: 'string', default: '50' },
  },
});
const agents = Number(values.agents);
const limit = Number(values.limit);
const percent = Number(values.percent);
const bulk = Number(values.bulk);
const QUEUE = 'be4c0000-0000-4000-8000-000000000001';

const file = join(mkdtempSync(join(tmpdir(), 'lockstep-bench-corrections-')), 'world.json');
writeFileSync(
  file,
  JSON.stringify({
    name: 'bench-corrections',
    seed: 1,
    start: { local: '2024-03-05T09:00:00', zone: 'America/Los_Angeles' },
    speed: 1,
    org: { id: 'be4c0000-0000-4000-8000-0000000000aa', name: 'Bench Org' },
    oauthClients: [
      {
        clientId: 'lockstep-demo',
        clientSecret: 'lockstep-demo-secret',
        permissions: ['wfm', 'presence', 'routing', 'telephony', 'directory'],
        rateLimitPerMinute: limit,
      },
    ],
    queues: [{ id: QUEUE, name: 'Bench', callsPerMinute: 0 }],
    agentGroups: [
      { id: 'bench', count: agents, namePattern: 'Bench Agent {n}', queues: [QUEUE], presence: 'Available' },
    ],
  }),
);

const logger = pino({ level: 'silent' });
const [sim, server] = await Promise.all([startSim({ scenario: file }), startRedis()]);
const redis = connectRedis(server.url);
const api = createGenesysApi({
  options: {
    target: { apiBase: sim.baseUrl },
    clientId: 'lockstep-demo',
    clientSecret: 'lockstep-demo-secret',
    pacing: { ratePerMinute: limit },
  },
  logger,
});
try {
  await api.start();
  const keys = createKeys('bench:');
  const lease = await createLeases({ redis, keys }).acquireLease('engine:shard:0', 'bench', 3_600_000);
  if (lease === null) throw new Error('no lease');
  const leadership = { token: () => lease.token, assertHeld: () => lease.token };
  const executor = createCorrections({
    config: {
      mode: 'apply',
      budgetShare: percent / 100,
      confirmTimeoutMs: 10_000,
      maxSends: 3,
      deferMaxMs: 600_000,
      bulkMax: bulk,
      // No engine runs here, so no event can confirm a correction: confirm by a read at once.
      eventConfirmMs: 0,
    },
    redis,
    keyPrefix: 'bench:',
    api,
    clientId: 'lockstep-demo',
    rateLimitPerMinute: limit,
    instanceId: 'bench',
    historyMaxLen: 100,
    clock: systemClock,
    logger,
    metrics: createMetrics(),
    leadership: () => leadership,
  });
  const ids = (await sim.control<Array<{ id: string }>>('GET', '/__sim/agents')).map((a) => a.id);
  await sim.control('PATCH', '/__sim/settings', { resetRateWindows: true, logReads: true });
  await sim.control('DELETE', '/__sim/requests');
  const started = Date.now();
  for (const [i, agentId] of ids.entries()) {
    const effect: Effect = {
      type: 'correction.intended',
      intent: {
        kind: 'set-presence',
        target: { presence: 'ON_QUEUE', definitionId: null },
        id: `bench-${i}:c1`,
        agentId,
        ruleId: 'on-queue-not-routable',
        findingId: `bench-${i}`,
        attempt: 1,
        reason: 'bench',
        notBefore: started,
      },
    };
    executor.executeCommitted(agentId, [effect], lease.token);
  }
  await executor.idle();
  const seconds = (Date.now() - started) / 1000;
  const onQueue = (
    await sim.control<Array<{ presence: { systemPresence: string } }>>('GET', '/__sim/agents')
  ).filter((a) => a.presence.systemPresence === 'On Queue').length;
  const count = async (query: string) =>
    (await sim.control<{ total: number }>('GET', `/__sim/requests?${query}`)).total;
  const rejected = await count('status=429');
  const patches = await count('method=PATCH');
  const bulkPuts = await count('method=PUT&path=/presences/bulk');
  const reads = await count('method=GET&path=/api/v2/users');
  const all = await count('clientId=lockstep-demo');
  // Without bulk writes every agent costs a request: agents / limit. With them, the floor is what this run's
  // requests (writes and reads) need at the limit.
  const floor = (agents / limit) * 60;
  const requestFloor = (all / limit) * 60;
  // The fewest requests the job needs: the writes, a guard read and a confirming read per 100 agents, and the
  // presence definitions read.
  const fewest = Math.ceil(agents / bulk) + 2 * Math.ceil(agents / 100) + 1;
  const bulkFloor = (fewest / limit) * 60;
  console.log(
    JSON.stringify({
      agents,
      limitPerMinute: limit,
      budgetPercent: percent,
      bulkMax: bulk,
      seconds: Number(seconds.toFixed(1)),
      floorSeconds: Number(floor.toFixed(1)),
      ratioToFloor: Number((seconds / floor).toFixed(3)),
      bulkFloorSeconds: Number(bulkFloor.toFixed(1)),
      ratioToBulkFloor: Number((seconds / bulkFloor).toFixed(2)),
      requestFloorSeconds: Number(requestFloor.toFixed(1)),
      ratioToRequestFloor: Number((seconds / requestFloor).toFixed(2)),
      onQueue,
      patches,
      bulkPuts,
      reads,
      requests: all,
      rejected429: rejected,
    }),
  );
  await executor.close();
} finally {
  api.close();
  await redis.quit();
  await Promise.all([sim.stop(), server.stop()]);
}
