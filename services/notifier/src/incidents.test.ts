import { createKeys, createOutbox } from '@lockstep/store';
import { type RedisServer, pollUntil, startRedis } from '@lockstep/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierLogger } from './logger.js';
import { type NotifierRuntime, startNotifier } from './notifier.js';
import { engineSide, startTestReceiver, testConfig } from './testing/harness.js';

let server: RedisServer;
let n = 0;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await server.stop();
});

const RULE = 'on-queue-without-station';
const OPENED = Date.parse('2026-03-03T09:00:05Z');
const INCIDENT_ID = `incident:${RULE}:${OPENED}`;

/** An `incident.opened` entry as the engine's grouper publishes it. */
function incidentOpened(agentIds: string[]) {
  return {
    id: `${INCIDENT_ID}:incident.opened:${OPENED + 4_000}`,
    key: INCIDENT_ID,
    version: OPENED + 4_000,
    at: OPENED + 4_000,
    body: {
      type: 'incident.opened',
      incident: {
        id: INCIDENT_ID,
        ruleId: RULE,
        status: 'open',
        openedAt: OPENED,
        updatedAt: OPENED + 4_000,
        resolvedAt: null,
        agents: agentIds.length,
        failing: agentIds.length,
        failingAgentIds: agentIds,
        recoveredAgentIds: [],
        commonCause: [
          { id: 'scheduleChange24h', text: '5/5 had a schedule change in the last 24 h (baseline 12 %)' },
          { id: 'timeOff=pending', text: '4/5 have pending time off (baseline 5 %)' },
        ],
        summary: `5 agents failed ${RULE} together (5 still failing)`,
      },
    },
  };
}

describe('incident alerts', () => {
  it('a subscription to incident types gets ONE incident.opened for five failing agents, not five alerts', async () => {
    const prefix = `inc-${++n}:`;
    const engine = engineSide(server.url, prefix);
    const receiver = await startTestReceiver();
    const all = await startTestReceiver();
    const runtime: NotifierRuntime = await startNotifier(
      testConfig(server.url, prefix),
      createNotifierLogger('silent'),
    );
    cleanups.push(
      () => engine.close(),
      () => receiver.close(),
      () => all.close(),
      () => runtime.close(),
    );
    await engine.waitForGroup();
    const { secret } = await engine.subscriptions.create({
      url: receiver.url,
      eventTypes: ['incident.opened', 'incident.updated', 'incident.resolved'],
    });
    // A subscription filtered on another rule does not get this incident.
    await engine.subscriptions.create({ url: all.url, filters: { ruleIds: ['stuck-not-responding'] } });

    const agents = ['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5'];
    for (const a of agents) await engine.emit(a, 'finding.opened', RULE);
    const outbox = createOutbox({ redis: engine.redis, keys: createKeys(prefix), group: 'test-engine' });
    await outbox.publishEntries([incidentOpened(agents)]);
    // The same entry published again (a grouper retry after a crash) is not a second alert.
    await outbox.publishEntries([incidentOpened(agents)]);

    await pollUntil(() => receiver.requests.length >= 1, { timeoutMs: 10_000, what: 'the incident alert' });
    // Give the notifier time to deliver anything else it (wrongly) queued.
    await engine.emit('agent-9', 'finding.opened', 'stuck-not-responding');
    await pollUntil(() => all.requests.length >= 1, { timeoutMs: 10_000, what: 'the later alert' });
    expect(receiver.requests).toHaveLength(1);
    expect(all.requests).toHaveLength(1);

    const request = receiver.requests[0];
    if (request === undefined) throw new Error('no request');
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(request.headers[h])]),
    );
    const payload = new Webhook(secret).verify(request.body, headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(payload.type).toBe('incident.opened');
    expect(payload.data).toMatchObject({
      incidentId: INCIDENT_ID,
      ruleId: RULE,
      status: 'open',
      severity: 'critical',
      agents: 5,
      failingAgentIds: agents,
      commonCause: [
        '5/5 had a schedule change in the last 24 h (baseline 12 %)',
        '4/5 have pending time off (baseline 5 %)',
      ],
      links: { incident: `http://127.0.0.1:8088/v1/incidents/${encodeURIComponent(INCIDENT_ID)}` },
    });
    expect(JSON.parse(all.requests[0]?.body ?? '{}')).toMatchObject({ data: { agentId: 'agent-9' } });
  });

  it('a subscription that mutes incident agents gets no finding alert for an agent an open incident covers', async () => {
    const prefix = `inc-${++n}:`;
    const engine = engineSide(server.url, prefix);
    const muted = await startTestReceiver();
    const plain = await startTestReceiver();
    const runtime: NotifierRuntime = await startNotifier(
      testConfig(server.url, prefix),
      createNotifierLogger('silent'),
    );
    cleanups.push(
      () => engine.close(),
      () => muted.close(),
      () => plain.close(),
      () => runtime.close(),
    );
    await engine.waitForGroup();
    const { subscription } = await engine.subscriptions.create({ url: muted.url, muteIncidentAgents: true });
    expect(subscription.muteIncidentAgents).toBe(true);
    await engine.subscriptions.create({ url: plain.url });

    const outbox = createOutbox({ redis: engine.redis, keys: createKeys(prefix), group: 'test-engine' });
    await outbox.publishEntries([incidentOpened(['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-6'])]);
    // agent-6 is covered by the open incident of this rule; agent-7 is not; agent-6's other rule is not.
    await engine.emit('agent-6', 'finding.opened', RULE);
    await engine.emit('agent-7', 'finding.opened', RULE);
    await engine.emit('agent-6', 'finding.opened', 'stuck-not-responding');

    const types = (r: { requests: Array<{ body: string }> }) =>
      r.requests
        .map((q) => JSON.parse(q.body) as { type: string; data: { agentId?: string; ruleId: string } })
        .map((p) => `${p.type}:${p.data.agentId ?? '-'}:${p.data.ruleId}`)
        .sort();
    await pollUntil(() => plain.requests.length >= 4 && muted.requests.length >= 3, {
      timeoutMs: 10_000,
      what: 'the alerts of both subscriptions',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(types(plain)).toEqual([
      `finding.opened:agent-6:${RULE}`,
      'finding.opened:agent-6:stuck-not-responding',
      `finding.opened:agent-7:${RULE}`,
      `incident.opened:-:${RULE}`,
    ]);
    expect(types(muted)).toEqual([
      'finding.opened:agent-6:stuck-not-responding',
      `finding.opened:agent-7:${RULE}`,
      `incident.opened:-:${RULE}`,
    ]);
  });
});
