/**
 * A re-observation does not restart a signal, end to end: a REST resync (the safety pass) re-reads the same
 * station and the same (empty) conversation summary with the read time; that must neither resolve a finding
 * that rests on the station's episodes nor move a finding's `since` (and with it its grace).
 */
import { readFileSync } from 'node:fs';
import { pollUntil } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForFinding } from '../support/findings.js';
import { fixture, type Stack, startStack } from '../support/stack.js';
import { engineView, openFindings, sameView, truthView } from '../support/views.js';

const policy = JSON.parse(readFileSync(fixture('rules-policy.json'), 'utf8')) as {
  rules: Record<string, { graceMs: number }>;
};
const AGENTS = ['agent-dead-phone', 'agent-no-station'] as const;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('rules-world.json'),
    engineEnv: {
      LOCKSTEP_AGENTS: 'division:e2e-rules-division',
      LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    },
  });
  await pollUntil(
    async () => {
      const world = await stack.truth();
      for (const agentId of AGENTS) {
        const t = world.get(agentId);
        if (t === undefined || !sameView(await engineView(stack.reads, agentId), truthView(t))) return false;
      }
      return true;
    },
    {
      timeoutMs: 20_000,
      what: 'the engine to commit every agent as the simulator has it',
      explain: () => stack.explain(AGENTS),
    },
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function safetyResync(agentId: string): Promise<void> {
  stack.runtime.engine.resync([agentId], 'safety');
  await stack.runtime.engine.idle();
}

describe('a safety resync re-reads without restarting', () => {
  it('repeated-not-responding stays open, as the same finding, across safety resyncs', async () => {
    const agentId = 'agent-dead-phone';
    await stack.act({ type: 'kill-station', agentId });
    await stack.act({ type: 'offer-call', queueId: 'e2e-dead-phone', agentId });
    const { finding } = await waitForFinding(stack, agentId, 'repeated-not-responding', 15_000);
    for (let i = 0; i < 3; i++) {
      await safetyResync(agentId);
      const open = (await openFindings(stack.reads, agentId)).find(
        (f) => f.ruleId === 'repeated-not-responding',
      );
      // A resolved and re-opened finding would carry a new id and opening time.
      expect(open).toMatchObject({ id: finding.id, openedAt: finding.openedAt });
    }
  }, 40_000);

  it('a resync inside the grace keeps the since of on-queue-without-station', async () => {
    const agentId = 'agent-no-station';
    const before = Date.now();
    await stack.act({ type: 'disassociate-station', agentId });
    await pollUntil(
      async () => {
        const record = await stack.reads.readAgent(agentId);
        const station = (record?.signals as { station?: { value: { stationId: string | null } } })?.station;
        return station?.value.stationId === null;
      },
      { timeoutMs: 5_000, intervalMs: 25, what: `${agentId} without a station in Redis` },
    );
    const resyncAt = Date.now();
    expect(resyncAt - before).toBeLessThan(policy.rules['on-queue-without-station']?.graceMs ?? 0);
    await safetyResync(agentId);
    const { finding } = await waitForFinding(stack, agentId, 'on-queue-without-station', 10_000);
    // The condition holds since the station event arrived, not since the re-read.
    expect(finding['since']).toBeGreaterThanOrEqual(before);
    expect(finding['since']).toBeLessThan(resyncAt);
  }, 30_000);
});
