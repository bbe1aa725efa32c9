/**
 * Every rule of the catalogue end to end: the simulator injects the desync on the rule's own agent, the engine
 * (in this process, against the simulator over real sockets and a real redis-server) opens the finding within
 * the rule's grace + 1 s of the desync, then the desync is fixed in the simulator and the finding resolves.
 * The policy (fixtures/rules-policy.json) shortens the graces and sets every action to `alert`, so that the
 * engine never repairs a desync itself.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { waitForFinding, waitForResolution } from '../support/findings.js';
import { pollUntil } from '@lockstep/testkit';
import { fixture, type Stack, startStack } from '../support/stack.js';
import { engineView, openFindings, sameView, truthView } from '../support/views.js';

const policy = JSON.parse(readFileSync(fixture('rules-policy.json'), 'utf8')) as {
  rules: Record<string, { graceMs: number }>;
};
const grace = (ruleId: string): number => {
  const ms = policy.rules[ruleId]?.graceMs;
  if (ms === undefined) throw new Error(`rules-policy.json has no graceMs for ${ruleId}`);
  return ms;
};

/** The assertion of the suite: a finding opens within grace + this much of the desync. */
const TOLERANCE_MS = 1_000;
/** Timer and polling jitter: a finding may look this much early against the simulator's timestamps. */
const EARLY_SLACK_MS = 100;
const RESOLVE_TIMEOUT_MS = 5_000;

const AGENTS = [
  'agent-not-routable',
  'agent-stuck-nr',
  'agent-dead-phone',
  'agent-no-station',
  'agent-ghost',
  'agent-adherence',
  'agent-on-break',
  'agent-fighting',
] as const;

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
  // Start from agreement: every agent committed as the simulator has it, and no finding open anywhere.
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

/**
 * Asserts the finding opened no later than grace + 1 s after `desyncAt` (and not clearly before the grace),
 * and that it is listed in the open-findings index. Returns the finding.
 */
async function expectFindingInTime(expect: ExpectStatic, agentId: string, ruleId: string, desyncAt: number) {
  const g = grace(ruleId);
  // Wait past the deadline so that a late finding is reported with its lateness, not as a bare timeout.
  const seen = await waitForFinding(stack, agentId, ruleId, g + TOLERANCE_MS + 8_000);
  const latency = seen.seenAt - desyncAt;
  expect(latency, `${ruleId} opened ${latency} ms after the desync (grace ${g} ms)`).toBeLessThanOrEqual(
    g + TOLERANCE_MS,
  );
  expect(
    latency,
    `${ruleId} opened ${latency} ms after the desync, before its grace of ${g} ms`,
  ).toBeGreaterThanOrEqual(g - EARLY_SLACK_MS);
  expect(seen.finding).toMatchObject({ ruleId, id: expect.stringContaining(agentId) });
  // The effect can reach the outbox a moment before a concurrent commit's index write is read back: wait for it.
  await pollUntil(
    async () => (await stack.reads.listOpenFindings({ ruleId })).some((l) => l.agentId === agentId),
    { timeoutMs: 5_000, what: `${agentId} listed among the open findings of ${ruleId}` },
  );
  return seen.finding;
}

async function expectResolved(expect: ExpectStatic, agentId: string, ruleId: string) {
  await waitForResolution(stack, agentId, ruleId, RESOLVE_TIMEOUT_MS);
  const listed = await stack.reads.listOpenFindings({ ruleId });
  expect(listed.map((l) => l.agentId)).not.toContain(agentId);
}

/** Reads the agent's ground truth, failing clearly when the simulator does not have it. */
async function truthOf(agentId: string) {
  const t = (await stack.truth()).get(agentId);
  if (t === undefined) throw new Error(`the simulator has no agent ${agentId}`);
  return t;
}

/**
 * Performs the action that makes the desync and returns when it happened: the simulator's own timestamp of the
 * presence or routing change (the instant the engine's grace counts from), or for a change the platform does
 * not timestamp (station), the moment just before the action was sent.
 */
async function desync(
  action: { agentId: string } & Record<string, unknown>,
  stamp: 'presence' | 'routing' | 'sent',
) {
  const sentAt = Date.now();
  await stack.act(action);
  if (stamp === 'sent') return sentAt;
  const t = await truthOf(action.agentId);
  return Date.parse(stamp === 'presence' ? t.presence.modifiedDate : t.routingStatus.startTime);
}

describe('every rule of the catalogue, end to end', () => {
  it('starts with no open finding', async ({ expect }) => {
    for (const agentId of AGENTS) expect(await openFindings(stack.reads, agentId), agentId).toEqual([]);
  });

  it.concurrent('on-queue-not-routable: On Queue that never reaches routing', async ({ expect }) => {
    const agentId = 'agent-not-routable';
    const rule = 'on-queue-not-routable';
    await stack.act({ type: 'presence-routing-decouple', agentId, enabled: true });
    const desyncAt = await desync({ type: 'set-presence', agentId, presence: 'On Queue' }, 'presence');
    const t = await truthOf(agentId);
    expect([t.presence.systemPresence, t.routingStatus.status]).toEqual(['On Queue', 'OFF_QUEUE']);
    const finding = await expectFindingInTime(expect, agentId, rule, desyncAt);
    expect(finding.severity).toBe('warning');
    await stack.act({ type: 'set-routing-status', agentId, status: 'IDLE' });
    await expectResolved(expect, agentId, rule);
    await stack.act({ type: 'presence-routing-decouple', agentId, enabled: false });
  });

  it.concurrent('stuck-not-responding: NOT_RESPONDING that nobody clears', async ({ expect }) => {
    const agentId = 'agent-stuck-nr';
    const rule = 'stuck-not-responding';
    const desyncAt = await desync(
      { type: 'set-routing-status', agentId, status: 'NOT_RESPONDING' },
      'routing',
    );
    expect((await truthOf(agentId)).routingStatus.status).toBe('NOT_RESPONDING');
    await expectFindingInTime(expect, agentId, rule, desyncAt);
    await stack.act({ type: 'set-routing-status', agentId, status: 'IDLE' });
    await expectResolved(expect, agentId, rule);
  });

  it.concurrent(
    'repeated-not-responding: a silently dead softphone misses alert after alert',
    async ({ expect }) => {
      const agentId = 'agent-dead-phone';
      const rule = 'repeated-not-responding';
      await stack.act({ type: 'kill-station', agentId });
      await stack.act({ type: 'offer-call', queueId: 'e2e-dead-phone', agentId });
      // The desync is the second NOT_RESPONDING episode (policy: 2 episodes); its start is the simulator's own.
      const episodes = new Set<string>();
      const secondEpisodeAt = await pollUntil(
        async () => {
          const t = await truthOf(agentId);
          if (t.routingStatus.status === 'NOT_RESPONDING') episodes.add(t.routingStatus.startTime);
          const starts = [...episodes].map(Date.parse).sort((a, b) => a - b);
          return starts.length >= 2 ? starts[1] : undefined;
        },
        {
          timeoutMs: 15_000,
          intervalMs: 25,
          what: 'two missed alerts in the simulator',
          explain: () => stack.explain([agentId]),
        },
      );
      const finding = await expectFindingInTime(expect, agentId, rule, secondEpisodeAt);
      expect(finding.severity).toBe('critical');
      // The fix: the softphone works again and is re-associated (episodes before it no longer count).
      await stack.act({ type: 'revive-station', agentId });
      await pollUntil(async () => (await truthOf(agentId)).routingStatus.status !== 'NOT_RESPONDING', {
        timeoutMs: 5_000,
        what: `${agentId} to leave NOT_RESPONDING after the revive`,
      });
      await stack.act({ type: 'disassociate-station', agentId });
      await stack.act({ type: 'associate-station', agentId });
      await expectResolved(expect, agentId, rule);
    },
  );

  it.concurrent('on-queue-without-station: On Queue after the station is gone', async ({ expect }) => {
    const agentId = 'agent-no-station';
    const rule = 'on-queue-without-station';
    const desyncAt = await desync({ type: 'disassociate-station', agentId }, 'sent');
    expect((await truthOf(agentId)).station?.associated).toBe(false);
    const finding = await expectFindingInTime(expect, agentId, rule, desyncAt);
    expect(finding.severity).toBe('critical');
    await stack.act({ type: 'associate-station', agentId });
    await expectResolved(expect, agentId, rule);
  });

  it.concurrent(
    'routable-while-offline: a ghost session stays IDLE after logging out',
    async ({ expect }) => {
      const agentId = 'agent-ghost';
      const rule = 'routable-while-offline';
      await stack.act({ type: 'presence-routing-decouple', agentId, enabled: true });
      const desyncAt = await desync({ type: 'set-presence', agentId, presence: 'Offline' }, 'presence');
      const t = await truthOf(agentId);
      expect([t.presence.systemPresence, t.routingStatus.status]).toEqual(['Offline', 'IDLE']);
      await expectFindingInTime(expect, agentId, rule, desyncAt);
      await stack.act({ type: 'set-routing-status', agentId, status: 'OFF_QUEUE' });
      await expectResolved(expect, agentId, rule);
      await stack.act({ type: 'presence-routing-decouple', agentId, enabled: false });
    },
  );

  it.concurrent('out-of-adherence-on-queue: Available during scheduled on-queue work', async ({ expect }) => {
    const agentId = 'agent-adherence';
    const rule = 'out-of-adherence-on-queue';
    const desyncAt = await desync({ type: 'set-presence', agentId, presence: 'Available' }, 'presence');
    const t = await stack.sim.control<Array<{ id: string; scheduledActivity: { category: string } | null }>>(
      'GET',
      '/__sim/agents',
    );
    expect(t.find((a) => a.id === agentId)?.scheduledActivity?.category).toBe('OnQueueWork');
    await expectFindingInTime(expect, agentId, rule, desyncAt);
    await stack.act({ type: 'set-presence', agentId, presence: 'On Queue' });
    await expectResolved(expect, agentId, rule);
  });

  it.concurrent('on-queue-during-scheduled-off: On Queue during a scheduled break', async ({ expect }) => {
    const agentId = 'agent-on-break';
    const rule = 'on-queue-during-scheduled-off';
    const desyncAt = await desync({ type: 'set-presence', agentId, presence: 'On Queue' }, 'presence');
    const t = await stack.sim.control<Array<{ id: string; scheduledActivity: { category: string } | null }>>(
      'GET',
      '/__sim/agents',
    );
    expect(t.find((a) => a.id === agentId)?.scheduledActivity?.category).toBe('Break');
    await expectFindingInTime(expect, agentId, rule, desyncAt);
    await stack.act({ type: 'set-presence', agentId, presence: 'Break' });
    await expectResolved(expect, agentId, rule);
  });

  it.concurrent(
    'state-not-sticking: a declared On Queue is reverted by the agent client',
    async ({ expect }) => {
      const agentId = 'agent-fighting';
      const rule = 'state-not-sticking';
      await stack.act({ type: 'revert-presence', agentId, enabled: true, revertAfterMs: 1_000 });
      // An outside system declares On Queue through the command inbox (`lockstep declare`), then sets it.
      const declared = await stack.cli([
        'declare',
        agentId,
        '--presence',
        'ON_QUEUE',
        '--by',
        'external-wfm',
        '--ttl-ms',
        '60000',
      ]);
      expect(declared, declared.stderr).toMatchObject({ code: 0 });
      await stack.act({ type: 'set-presence', agentId, presence: 'On Queue', by: 'external-wfm' });
      // The desync is the client's revert, a second later; its time is the simulator's own.
      const revertedAt = await pollUntil(
        async () => {
          const t = await truthOf(agentId);
          return t.presence.systemPresence === 'Available' && t.lastChangedBy?.presence !== 'external-wfm'
            ? Date.parse(t.presence.modifiedDate)
            : undefined;
        },
        {
          timeoutMs: 10_000,
          intervalMs: 25,
          what: 'the agent client to revert the presence',
          explain: () => stack.explain([agentId]),
        },
      );
      const finding = await expectFindingInTime(expect, agentId, rule, revertedAt);
      expect(JSON.stringify(finding)).toContain('external-wfm');
      // The fix: the client stops fighting and the declared presence is set again.
      await stack.act({ type: 'revert-presence', agentId, enabled: false });
      await stack.act({ type: 'set-presence', agentId, presence: 'On Queue', by: 'external-wfm' });
      await expectResolved(expect, agentId, rule);
    },
  );
});
