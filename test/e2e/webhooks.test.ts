/**
 * Webhook alerts end to end: the simulator injects a desync, the engine (in this process, against the simulator
 * and a real redis-server) opens a finding, the notifier (in this process) delivers a signed `finding.opened`
 * to a real receiver that verifies it with `standardwebhooks`; when the desync is fixed, `finding.resolved`
 * follows.
 */
import type { NotifierRuntime } from '@lockstep/notifier';
import { pollUntil } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackNotifier, type SubscribedReceiver, subscribeReceiver } from '../support/alerts.js';
import { fixture, type Stack, startStack } from '../support/stack.js';

const AGENT = 'agent-stuck-nr';
const RULE = 'stuck-not-responding';

let stack: Stack;
let notifier: NotifierRuntime | undefined;
let receiver: SubscribedReceiver | undefined;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('rules-world.json'),
    engineEnv: {
      LOCKSTEP_AGENTS: 'division:e2e-rules-division',
      LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    },
  });
  // The notifier's consumer group exists before the desync: a group reads what comes after it.
  notifier = await startStackNotifier(stack);
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  await receiver?.close();
  await stack?.close();
});

describe('webhook alerts end to end', () => {
  it('a desync in the simulator reaches a receiver as a signed finding.opened, then finding.resolved', async () => {
    receiver = await subscribeReceiver(stack, { ruleIds: [RULE] });
    const { alerts, rejected } = receiver;
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
