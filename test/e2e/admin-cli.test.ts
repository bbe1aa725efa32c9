/**
 * The operator CLI over a listening admin API (real HTTP, real redis-server): tables for people, --json for
 * scripts, bulk desired state from a CSV, keys and rules; the Redis-backed commands keep working beside it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createRootLogger, loadConfig } from '@lockstep/admin-api';
import { runApiCli, runCli } from '@lockstep/engine';
import {
  connectRedis,
  createAgentProfiles,
  createAgentStore,
  createIncidentStore,
  createKeys,
  type IncidentDoc,
  type RedisClient,
} from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BOOTSTRAP = 'cli-bootstrap-admin-key-0123456789';
const T0 = Date.parse('2026-03-06T12:00:00Z');
/** An incident as the engine's grouper stores it: two agents, one recovered. */
const INCIDENT: IncidentDoc = {
  id: `incident:on-queue-without-station:${T0}`,
  status: 'open',
  updatedAt: T0 + 30_000,
  ruleId: 'on-queue-without-station',
  openedAt: T0,
  resolvedAt: null,
  summary: '2 agents failed on-queue-without-station together (1 still failing)',
  members: [
    { agentId: 'a1', findingId: 'a1:f', openedAt: T0, resolvedAt: null },
    { agentId: 'a2', findingId: 'a2:f', openedAt: T0 + 1_000, resolvedAt: T0 + 30_000 },
  ],
  commonCause: [
    {
      id: 'scheduleChange24h',
      text: '2/2 had a schedule change in the last 24 h (baseline 10 %)',
      affected: 2,
    },
  ],
};
const PREFIX = 'cli:';
let server: RedisServer;
let redis: RedisClient;
let api: FastifyInstance;
let url: string;

beforeAll(async () => {
  server = await startRedis();
  redis = connectRedis(server.url);
  api = await build({
    config: loadConfig({
      REDIS_URL: server.url,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP,
    }),
    redis,
    logger: createRootLogger('silent'),
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const store = createAgentStore({ redis, keys: createKeys(PREFIX) });
  for (const [agentId, system] of [
    ['a1', 'ON_QUEUE'],
    ['a2', 'BREAK'],
  ] as const) {
    await store.commit({
      agentId,
      expectedVersion: 0,
      fence: 0,
      state: 'available/inSync',
      machine: { value: 'x', context: { declared: null } },
      signals: {
        presence: { value: { system, definitionId: null }, at: 1_700_000_000_000, source: 'event' },
      },
      findings: [],
      effects: [],
      cause: 'event',
      detail: 'presence',
    });
  }
  const keys = createKeys(PREFIX);
  await createAgentProfiles({ redis, keys }).write([
    { agentId: 'a1', name: null, queueIds: [], divisionId: null, managementUnitId: null, updatedAt: 1 },
    {
      agentId: 'a2',
      name: 'Bea Break',
      queueIds: ['q1'],
      divisionId: null,
      managementUnitId: null,
      updatedAt: 1,
    },
  ]);
  await createIncidentStore({ redis, keys }).save([INCIDENT], []);
});
afterAll(async () => {
  await api?.close();
  await redis?.quit();
  await server?.stop();
});

async function cli(args: string[], key = BOOTSTRAP) {
  let stdout = '';
  let stderr = '';
  const code = await runApiCli(
    args,
    { LOCKSTEP_API_URL: url, LOCKSTEP_API_KEY: key },
    {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    },
  );
  return { code, stdout, stderr };
}

describe('lockstep CLI over the admin API', () => {
  it('keys create prints the key once; the key works and never shows in keys list', async () => {
    const created = await cli(['keys', 'create', '--name', 'reader', '--scope', 'read', '--json']);
    expect(created.code).toBe(0);
    const { key, id } = JSON.parse(created.stdout) as { key: string; id: string };
    const list = await cli(['keys', 'list']);
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(key);
    const agents = await cli(['agents', 'list', '--presence', 'on_queue', '--json'], key);
    expect(JSON.parse(agents.stdout).agents.map((a: { agentId: string }) => a.agentId)).toEqual(['a1']);
    const refused = await cli(['rules', 'set', 'stuck-not-responding', '--severity', 'critical'], key);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('403 FORBIDDEN');
    expect(refused.stderr).not.toContain(key);
    const revoked = await cli(['keys', 'revoke', id]);
    expect(revoked.code).toBe(0);
    expect((await cli(['agents', 'list'], key)).stderr).toContain('401 UNAUTHORIZED');
  });

  it('agents list prints a table for people; agents show and history print the agent', async () => {
    const table = await cli(['agents', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^AGENT\s+NAME\s+PRESENCE\s+ROUTING\s+STATE\s+SINCE\s+FINDINGS$/,
    );
    expect(table.stdout).toMatch(/a2\s+Bea Break\s+BREAK/);
    // By name, with the name the agent directory keeps (a1 has none yet: last).
    const byName = await cli(['agents', 'list', '--sort', 'name', '--json']);
    expect(JSON.parse(byName.stdout).agents.map((a: { agentId: string }) => a.agentId)).toEqual(['a2', 'a1']);
    const show = await cli(['agents', 'show', 'a1', '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({
      agentId: 'a1',
      signals: { presence: { source: 'event' } },
    });
    const history = await cli(['agents', 'history', 'a1']);
    expect(history.stdout).toMatch(/signal/);
    expect((await cli(['agents', 'show', 'nobody'])).stderr).toContain('404 NOT_FOUND');
  });

  it('rules set changes a rule and rules list shows it in force', async () => {
    const set = await cli([
      'rules',
      'set',
      'stuck-not-responding',
      '--grace-ms',
      '5000',
      '--enabled',
      'false',
    ]);
    expect(set.code).toBe(0);
    const list = await cli(['rules', 'list']);
    expect(list.stdout).toMatch(/stuck-not-responding\s+false\s+5000\s+warning\s+correct\s+true/);
  });

  it('desired-state set from a CSV gives one outcome per row; a bad row refuses only itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-cli-'));
    const file = join(dir, 'states.csv');
    await writeFile(file, 'agentId,presence,reason\na1,on_queue,shift\na2,NAPPING,typo\nghost,ON_QUEUE,\n');
    const res = await cli(['desired-state', 'set', '--csv', file, '--source', 'wfm']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^2\s+a1\s+accepted/);
    expect(lines[2]).toMatch(/^3\s+a2\s+refused\s+presence/);
    expect(lines[3]).toMatch(/^4\s+ghost\s+refused\s+agentId: no such agent/);
    const one = await cli(['desired-state', 'set', 'a2', '--presence', 'break', '--source', 'supervisor']);
    expect(one.stdout).toMatch(/^declared BREAK for a2 until \d{4}-/);
  });

  it('findings lists open findings, and resolved ones with --resolved', async () => {
    const store = createAgentStore({ redis, keys: createKeys(PREFIX) });
    const commit = (expectedVersion: number, open: boolean) =>
      store.commit({
        agentId: 'f1',
        expectedVersion,
        fence: 0,
        state: 's',
        machine: {},
        signals: {},
        findings: open
          ? [{ id: 'f1:stuck', ruleId: 'stuck-not-responding', severity: 'warning', openedAt: 1 }]
          : [],
        effects: [],
        cause: 'event',
        detail: 'x',
      });
    await commit(0, true);
    const open = await cli(['findings']);
    expect(open.stdout).toMatch(/f1\s+stuck-not-responding\s+warning/);
    await commit(1, false);
    expect((await cli(['findings', '--json'])).stdout).not.toContain('f1');
    const resolved = await cli(['findings', '--resolved']);
    expect(resolved.stdout.split('\n')[0]).toMatch(/^AGENT\s+RULE\s+OPENED\s+RESOLVED$/);
    expect(resolved.stdout).toMatch(/f1\s+stuck-not-responding\s+1970-01-01T00:00:00.001Z\s+\d{4}-/);
  });

  it('incidents list prints a table, incidents show the cause and the agents; --json for scripts', async () => {
    const list = await cli(['incidents', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^INCIDENT\s+RULE\s+STATUS\s+AGENTS\s+FAILING\s+OPENED\s+SUMMARY$/);
    expect(lines[1]).toMatch(
      /^incident:on-queue-without-station:\d+\s+on-queue-without-station\s+open\s+2\s+1\s+2026-03-06T12:00:00.000Z\s+2 agents failed/,
    );
    expect(lines).toHaveLength(2);
    const resolved = await cli(['incidents', 'list', '--status', 'resolved', '--json']);
    expect(JSON.parse(resolved.stdout)).toEqual({ incidents: [], nextCursor: null });

    const show = await cli(['incidents', 'show', INCIDENT.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`incident ${INCIDENT.id}: open`);
    expect(show.stdout).toContain('2 agents, 1 still failing');
    expect(show.stdout).toContain('  - 2/2 had a schedule change in the last 24 h (baseline 10 %)');
    expect(show.stdout).toMatch(/^a1\s+a1:f\s+2026-03-06T12:00:00.000Z\s+-$/m);
    expect(show.stdout).toMatch(/^a2\s+a2:f\s+2026-03-06T12:00:01.000Z\s+2026-03-06T12:00:30.000Z$/m);
    const json = JSON.parse((await cli(['incidents', 'show', INCIDENT.id, '--json'])).stdout);
    expect(json).toMatchObject({
      id: INCIDENT.id,
      agents: 2,
      failing: 1,
      ruleId: 'on-queue-without-station',
    });

    const missing = await cli(['incidents', 'show', 'incident:nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 NOT_FOUND');
    expect((await cli(['incidents', 'list', '--status', 'closed'])).code).toBe(2);
    expect((await cli(['incidents', 'show'])).code).toBe(2);
    expect((await cli(['incidents', 'dance'])).code).toBe(2);
  });

  it('bad usage and missing configuration exit 2 with the usage', async () => {
    expect((await cli(['agents', 'dance'])).code).toBe(2);
    expect((await cli(['agents', 'list', '--colour', 'red'])).code).toBe(2);
    let stderr = '';
    const code = await runApiCli(['agents', 'list'], {}, { stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toContain('LOCKSTEP_API_URL: is required');
    expect(stderr).toContain('LOCKSTEP_API_KEY: is required');
  });

  it('the Redis-backed commands keep working', async () => {
    let stdout = '';
    const code = await runCli(
      ['agent', 'a1'],
      { REDIS_URL: server.url, LOCKSTEP_KEY_PREFIX: PREFIX },
      {
        stdout: (t) => (stdout += t),
        stderr: () => {},
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ agentId: 'a1' });
  });
});
