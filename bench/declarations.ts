/**
 * Thirty free seats (no interaction, station up) are declared On Queue from a `validFrom` a few seconds ahead, as
 * the Tuesday 09:00 story's routing platform would. A whole engine (`LOCKSTEP_CORRECTIONS=apply`, real
 * redis-server, the simulator holding the client to --limit requests per minute) applies the declaration; the
 * run polls the simulator's ground truth every 20 ms and reports, per seat, the time from `validFrom` to the
 * platform showing On Queue (an upper bound by the poll interval), and the writes it took.
 *
 *   node --conditions=@lockstep/source --import tsx bench/declarations.ts [--seats 30] [--limit 300] [--runs 3]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, sendBulkDeclaration, startEngineRuntime } from '@lockstep/engine';
import { connectRedis, createCommandQueue, createKeys } from '@lockstep/store';
import { startRedis, startSim } from '@lockstep/testkit';
import { pino } from 'pino';

const { values } = parseArgs({
  options: {
    seats: { type: 'string', default: '30' },
    limit: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
  },
});
const seats = Number(values.seats);
const limit = Number(values.limit);
const runs = Number(values.runs);
const QUEUE = 'be4c0000-0000-4000-8000-0000000000d1';
const PREFIX = 'bench-declared:';
const POLL_MS = 20;

const file = join(mkdtempSync(join(tmpdir(), 'lockstep-bench-declarations-')), 'world.json');
writeFileSync(
  file,
  JSON.stringify({
    name: 'bench-declarations',
    seed: 9,
    start: { local: '2024-03-05T08:59:00', zone: 'America/Los_Angeles' },
    speed: 1,
    org: { id: 'be4c0000-0000-4000-8000-0000000000da', name: 'Bench Org' },
    oauthClients: [
      {
        clientId: 'lockstep-demo',
        clientSecret: 'lockstep-demo-secret',
        permissions: ['wfm', 'presence', 'routing', 'telephony', 'directory'],
        rateLimitPerMinute: limit,
      },
    ],
    queues: [{ id: QUEUE, name: 'Billing', callsPerMinute: 0 }],
    agentGroups: [
      {
        id: 'seats',
        // Fresh seats for each run: a seat corrected again within 30 s would wait for the flap guard's spacing.
        count: seats * runs,
        namePattern: 'Billing Seat {n:2}',
        queues: [QUEUE],
        presence: 'Available',
        station: 'associated',
      },
    ],
  }),
);

interface Truth {
  id: string;
  presence: { systemPresence: string };
}

const [sim, server] = await Promise.all([startSim({ scenario: file }), startRedis()]);
const redis = connectRedis(server.url);
const runtime = await startEngineRuntime(
  loadConfig({
    GENESYS_API_BASE: sim.baseUrl,
    GENESYS_CLIENT_ID: 'lockstep-demo',
    GENESYS_CLIENT_SECRET: 'lockstep-demo-secret',
    REDIS_URL: server.url,
    LOCKSTEP_AGENTS: `queue:${QUEUE}`,
    LOCKSTEP_KEY_PREFIX: PREFIX,
    LOCKSTEP_INSTANCE_ID: 'bench-declarations',
    LOCKSTEP_CORRECTIONS: 'apply',
    LOCKSTEP_RATE_LIMIT_PER_MINUTE: String(limit),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
  }),
  pino({ level: 'silent' }),
);
const truth = () => sim.control<Truth[]>('GET', '/__sim/agents');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  await runtime.engine.idle();
  const everyone = (await truth()).map((a) => a.id);
  const queue = createCommandQueue({ redis, keys: createKeys(PREFIX) });
  for (let run = 1; run <= runs; run++) {
    const ids = everyone.slice((run - 1) * seats, run * seats);
    await sleep(2_000);
    await sim.control('DELETE', '/__sim/requests');
    await sim.control('PATCH', '/__sim/settings', { logReads: true });
    const validFrom = Date.now() + 3_000;
    const results = await sendBulkDeclaration(
      queue,
      {
        by: 'external-wfm',
        presence: 'ON_QUEUE',
        validFrom,
        ttlMs: 3_600_000,
        reason: `bench run ${run}`,
        declarations: ids.map((agentId) => ({ agentId })),
      },
      Date.now(),
    );
    if (results.some((r) => r.status !== 'sent'))
      throw new Error(`declaration refused: ${JSON.stringify(results)}`);
    const seenAt = new Map<string, number>();
    const deadline = validFrom + 60_000;
    while (seenAt.size < ids.length && Date.now() < deadline) {
      const now = Date.now();
      for (const a of await truth()) {
        if (!ids.includes(a.id)) continue;
        if (a.presence.systemPresence === 'On Queue' && !seenAt.has(a.id)) seenAt.set(a.id, now);
      }
      await sleep(POLL_MS);
    }
    const lags = [...seenAt.values()].map((t) => t - validFrom).sort((x, y) => x - y);
    const early = lags.filter((l) => l < 0).length;
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? NaN;
    const count = async (query: string) =>
      (await sim.control<{ total: number }>('GET', `/__sim/requests?${query}`)).total;
    const writes = (
      await sim.control<{ entities: Array<{ atMs: number; agentIds: string[]; method: string }> }>(
        'GET',
        '/__sim/requests?clientId=lockstep-demo',
      )
    ).entities.filter((w) => w.method !== 'GET');
    const first = writes[0]?.atMs ?? 0;
    console.log(
      JSON.stringify({
        run,
        seats,
        limitPerMinute: limit,
        onQueue: seenAt.size,
        early,
        msFromValidFrom: { min: lags[0], p50: at(0.5), p90: at(0.9), max: lags.at(-1) },
        bulkPuts: await count('method=PUT&path=/presences/bulk'),
        patches: await count('method=PATCH'),
        reads: await count('method=GET&clientId=lockstep-demo'),
        rejected429: await count('status=429'),
        // Each write: ms after the first one, and how many seats it carried.
        writes: writes.map((w) => [w.atMs - first, w.agentIds.length]),
      }),
    );
  }
} finally {
  await runtime.close();
  await redis.quit();
  await Promise.all([sim.stop(), server.stop()]);
}
