/**
 * Admin API benchmark: one `redis-server` holding `--agents` committed agents (default 100,000; every 20th has an
 * open `on-queue-not-routable` finding), the admin API as its own process (`services/admin-api/src/main.ts`)
 * listening on loopback with a stored `read` key, and autocannon in this process as the client:
 *
 * 1. `GET /v1/agents/{id}` (a random agent per request): requests/s and p99 at saturation, then p99 at a fixed
 *    2,000 requests/s (target: p99 <= 10 ms).
 * 2. `GET /v1/agents?rule=on-queue-not-routable&limit=100`: p99 at saturation (target: p99 <= 50 ms), and the
 *    same sorted by time in state.
 * 3. The agent directory: every agent has a profile (a name, one of 10 queues: 10,000 agents each);
 *    `GET /v1/agents?sort=name&limit=100` (walks the name index), `?queue=<q>&limit=100` (membership tag) and
 *    `?queue=<q>&sort=name&limit=100` (the queue's 10,000 agents sorted by name in memory), at saturation.
 *
 *   npx tsx --conditions=@lockstep/source bench/admin-api.ts [--agents 100000] [--seconds 10] [--connections 50]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { connectRedis, createAgentProfiles, createAgentStore, createKeys } from '@lockstep/store';
import { freePort, pollUntil, repoRoot, startRedis } from '@lockstep/testkit';
import autocannon from 'autocannon';
import { describeMachine } from './engine-support.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const KEY = 'bench-bootstrap-admin-key-0123456789';
const PREFIX = 'bench:';
const RULE = 'on-queue-not-routable';

const id = (i: number) => `agent-${String(i).padStart(6, '0')}`;

async function seed(redis: ReturnType<typeof connectRedis>): Promise<void> {
  const store = createAgentStore({ redis, keys: createKeys(PREFIX) });
  const started = Date.now();
  const at = Date.now() - 3_600_000;
  const presences = ['ON_QUEUE', 'AVAILABLE', 'BREAK', 'MEAL', 'OFFLINE'];
  const commit = (i: number) => {
    const desync = i % 20 === 0;
    const presence = desync ? 'ON_QUEUE' : (presences[i % presences.length] ?? 'AVAILABLE');
    return store.commit({
      agentId: id(i),
      expectedVersion: 0,
      fence: 0,
      state: desync ? 'onQueue.notRoutable/desynced' : 'available/inSync',
      machine: {
        value: 'tracking',
        context: { status: 'available', health: desync ? 'desynced' : 'inSync' },
      },
      signals: {
        presence: { value: { system: presence, definitionId: null }, at: at + i, source: 'event' },
        routing: { value: desync ? 'OFF_QUEUE' : 'IDLE', at: at + i, source: 'event' },
      },
      findings: desync
        ? [
            {
              id: `${id(i)}:${RULE}:${at + i}`,
              ruleId: RULE,
              severity: 'warning',
              openedAt: at + i,
              summary: 'On Queue but not routable',
              evidence: [{ signal: 'routing', value: 'OFF_QUEUE' }],
            },
          ]
        : [],
      effects: [],
      cause: 'resync',
      detail: 'resync(2)',
      at: at + i,
    });
  };
  const batch = 500;
  for (let i = 0; i < AGENTS; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, AGENTS - i) }, (_, k) => commit(i + k)));
  }
  console.log(`seeded ${AGENTS} agents in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const profiles = createAgentProfiles({ redis, keys: createKeys(PREFIX) });
  const named = Date.now();
  // Names in an order unrelated to the ids, so the name index is not the id order.
  const name = (i: number) => `Agent ${String((i * 7_919) % AGENTS).padStart(6, '0')}`;
  for (let i = 0; i < AGENTS; i += batch) {
    await profiles.write(
      Array.from({ length: Math.min(batch, AGENTS - i) }, (_, k) => ({
        agentId: id(i + k),
        name: name(i + k),
        queueIds: [`queue-${(i + k) % 10}`],
        divisionId: 'division-1',
        managementUnitId: null,
        updatedAt: at,
      })),
    );
  }
  console.log(`wrote ${AGENTS} directory profiles in ${((Date.now() - named) / 1000).toFixed(1)} s`);
}

function report(name: string, r: autocannon.Result): void {
  console.log(
    `${name}: ${r.requests.average.toFixed(0)} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
      `max ${r.latency.max} ms; non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`,
  );
}

async function main(): Promise<void> {
  console.log(describeMachine());
  const server = await startRedis();
  const redis = connectRedis(server.url);
  const port = await freePort();
  // The API in a process of its own, as deployed: the client's work does not share its event loop.
  const api = spawn(
    process.execPath,
    ['--conditions=@lockstep/source', '--import', 'tsx', 'services/admin-api/src/main.ts'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        REDIS_URL: server.url,
        LOCKSTEP_KEY_PREFIX: PREFIX,
        LOCKSTEP_BOOTSTRAP_ADMIN_KEY: KEY,
        ADMIN_API_RATE_LIMIT_MAX: '1000000',
        ADMIN_API_PORT: String(port),
        LOG_LEVEL: 'warn',
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await seed(redis);
    await pollUntil(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true, {
      timeoutMs: 30_000,
      what: 'the admin API to listen',
    });
    // A stored read key, as a client would hold (the bootstrap key would skip the key lookup).
    const created = await fetch(`${url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['read'] }),
    });
    const { key } = (await created.json()) as { key: string };
    const headers = { authorization: `Bearer ${key}` };
    const randomAgent = {
      method: 'GET' as const,
      setupRequest: (req: autocannon.Request) => ({
        ...req,
        path: `/v1/agents/${id(Math.floor(Math.random() * AGENTS))}`,
      }),
    };
    const run = (opts: Partial<autocannon.Options>) =>
      autocannon({ url, headers, duration: SECONDS, connections: CONNECTIONS, ...opts });

    report('GET /v1/agents/{id} at saturation', await run({ requests: [randomAgent] }));
    report('GET /v1/agents/{id} at 2,000 req/s', await run({ requests: [randomAgent], overallRate: 2_000 }));
    report(
      `GET /v1/agents?rule=${RULE}&limit=100 at saturation`,
      await run({
        requests: [{ method: 'GET', path: `/v1/agents?rule=${RULE}&limit=100` }],
        connections: 10,
      }),
    );
    report(
      `GET /v1/agents?rule=${RULE}&sort=timeInState&limit=100 at saturation`,
      await run({
        requests: [{ method: 'GET', path: `/v1/agents?rule=${RULE}&sort=timeInState&limit=100` }],
        connections: 10,
      }),
    );
    for (const path of [
      '/v1/agents?sort=name&limit=100',
      '/v1/agents?queue=queue-3&limit=100',
      '/v1/agents?queue=queue-3&sort=name&limit=100',
    ]) {
      report(
        `GET ${path} at saturation`,
        await run({ requests: [{ method: 'GET', path }], connections: 10 }),
      );
    }
  } finally {
    const exited = new Promise((r) => api.once('exit', r));
    api.kill('SIGTERM');
    await exited;
    await redis.quit();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
