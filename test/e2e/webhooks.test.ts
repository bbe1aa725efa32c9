/**
 * Webhook alerts end to end: the simulator injects a desync, the engine (in this process, against the simulator
 * and a real redis-server) opens a finding, the notifier (in this process) delivers a signed `finding.opened`
 * to a real receiver that verifies it with `standardwebhooks`; when the desync is fixed, `finding.resolved`
 * follows.
 */
import {
  createNotifierLogger,
  createReceiver,
  loadNotifierConfig,
  type NotifierRuntime,
  type ReceivedAlert,
  startNotifier,
} from '@lockstep/notifier';
import { createKeys } from '@lockstep/store';
import { pollUntil } from '@lockstep/testkit';
import { createSubscriptionStore, createWebhookKeys } from '@lockstep/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Stack, startStack } from '../support/stack.js';

const PREFIX = 'e2e:';
const AGENT = 'agent-stuck-nr';
const RULE = 'stuck-not-responding';

let stack: Stack;
let notifier: NotifierRuntime | undefined;
const alerts: ReceivedAlert[] = [];
const rejected: string[] = [];
let receiver: ReturnType<typeof createReceiver> | undefined;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('rules-world.json'),
    engineEnv: {
      LOCKSTEP_AGENTS: 'division:e2e-rules-division',
      LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    },
  });
  notifier = await startNotifier(
    loadNotifierConfig({
      REDIS_URL: stack.redisServer.url,
      LOCKSTEP_KEY_PREFIX: PREFIX,
      LOCKSTEP_INSTANCE_ID: 'e2e-notifier',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: '0s,200ms,500ms,1s',
      NOTIFIER_POLL_MS: '20',
      LOG_LEVEL: 'silent',
    }),
    createNotifierLogger('silent'),
  );
  // The notifier's consumer group must exist before the desync: a group reads what comes after it.
  const stream = createKeys(PREFIX).outboxStream(0);
  await pollUntil(
    async () => {
      const groups = (await stack.redis.call('XINFO', 'GROUPS', stream).catch(() => [])) as unknown[][];
      return groups.some((g) => g.includes('notifier'));
    },
    { timeoutMs: 10_000, what: 'the notifier consumer group' },
  );
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  await receiver?.close();
  await stack?.close();
});

describe('webhook alerts end to end', () => {
  it('a desync in the simulator reaches a receiver as a signed finding.opened, then finding.resolved', async () => {
    const subscriptions = createSubscriptionStore({
      redis: stack.redis,
      keys: createWebhookKeys(PREFIX),
      ssrf: { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] },
    });
    // A placeholder URL first: the receiver needs the secret, which creation returns.
    const created = await subscriptions.create({
      url: 'http://127.0.0.1:9/hook',
      filters: { ruleIds: [RULE] },
    });
    receiver = createReceiver({
      host: '127.0.0.1',
      port: 0,
      secret: created.secret,
      onAlert: (a) => alerts.push(a),
      onRejected: (reason) => rejected.push(reason),
    });
    await receiver.start();
    await subscriptions.update(created.subscription.id, { url: `http://127.0.0.1:${receiver.port()}/hook` });
    await pollUntil(async () => (await stack.reads.readAgent(AGENT)) !== null, {
      timeoutMs: 20_000,
      what: `the engine to commit ${AGENT}`,
    });
    await stack.act({ type: 'set-routing-status', agentId: AGENT, status: 'NOT_RESPONDING' });
    const opened = await pollUntil(() => alerts.find((a) => a.type === 'finding.opened'), {
      timeoutMs: 20_000,
      what: 'a signed finding.opened at the receiver',
      explain: () => stack.explain([AGENT]),
    });
    expect(opened.data).toMatchObject({ agentId: AGENT, ruleId: RULE });
    expect(opened.data.links).toEqual({ agent: `http://127.0.0.1:8088/v1/agents/${AGENT}` });
    await stack.act({ type: 'set-routing-status', agentId: AGENT, status: 'IDLE' });
    const resolved = await pollUntil(() => alerts.find((a) => a.type === 'finding.resolved'), {
      timeoutMs: 20_000,
      what: 'finding.resolved at the receiver',
      explain: () => stack.explain([AGENT]),
    });
    expect(resolved.data.findingId).toBe(opened.data.findingId);
    expect(resolved.webhookId).not.toBe(opened.webhookId);
    expect(alerts.map((a) => a.type)).toEqual(['finding.opened', 'finding.resolved']);
    expect(rejected).toEqual([]);
  });
});
