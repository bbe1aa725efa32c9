/**
 * How signals enter the engine, end to end:
 * - a re-observation does not restart a signal: a REST resync (the safety pass) re-reads the same station and
 *   the same (empty) conversation summary with the read time; that must neither resolve a finding that rests on
 *   the station's episodes nor move a finding's `since` (and with it its grace);
 * - a platform timestamp far in the future is clamped at the edge and counted, so later correct events still land;
 * - a presence of a non-primary source does not overwrite the platform presence.
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
const AGENTS = ['agent-dead-phone', 'agent-no-station', 'agent-not-routable'] as const;

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

/** Writes one notification frame to the engine's sockets, as the platform would send it. */
async function inject(agentId: string, topic: string, eventBody: Record<string, unknown>): Promise<void> {
  const frame = JSON.stringify({
    topicName: `v2.users.${agentId}.${topic}`,
    version: '2',
    eventBody,
    metadata: { CorrelationId: `edge-${Date.now()}` },
  });
  await stack.sim.control('POST', '/__sim/faults', { kind: 'garbage', frames: [frame] });
}

const presenceOf = async (agentId: string) =>
  (
    (await stack.reads.readAgent(agentId))?.signals as {
      presence?: { value: { system: string; source?: string }; at: number };
    }
  )?.presence;

async function clampedCount(): Promise<number> {
  const text = await stack.runtime.engine.metrics.registry.metrics();
  const m = /lockstep_event_times_clamped_total\{signal="presence"\} (\d+)/.exec(text);
  return Number(m?.[1] ?? 0);
}

const ON_QUEUE_DEF = 'e08eaf1b-ee47-4fa9-a231-1200e284798f';
const BREAK_DEF = '227b37e2-f1d0-4dd0-8f50-badd7cf6d158';

describe('the mapping edge', () => {
  it('a presence stamped an hour ahead is clamped and counted; the next real change still lands', async () => {
    const agentId = 'agent-not-routable';
    const before = await clampedCount();
    const sentAt = Date.now();
    await inject(agentId, 'presence', {
      source: 'PURECLOUD',
      primary: true,
      presenceDefinition: { id: ON_QUEUE_DEF, systemPresence: 'ON_QUEUE' },
      message: '',
      modifiedDate: new Date(sentAt + 3_600_000).toISOString(),
    });
    await pollUntil(async () => (await clampedCount()) > before, {
      timeoutMs: 5_000,
      what: 'the clamp to be counted',
    });
    await stack.runtime.engine.idle();
    const clampedAt = (await presenceOf(agentId))?.at ?? Number.NaN;
    expect(clampedAt).toBeGreaterThanOrEqual(sentAt);
    expect(clampedAt).toBeLessThanOrEqual(Date.now());
    // The simulator's wire clock trails this process's clock a little (its anchor is taken before it starts):
    // change the presence until the platform's own stamp is past the receive time of the clamped event.
    await pollUntil(
      async () => {
        await stack.act({ type: 'set-presence', agentId, presence: 'Meeting' });
        const t = (await stack.truth()).get(agentId);
        return Date.parse(t?.presence.modifiedDate ?? '') > clampedAt;
      },
      { timeoutMs: 5_000, intervalMs: 100, what: 'a simulator presence stamp past the clamped time' },
    );
    await pollUntil(async () => (await presenceOf(agentId))?.value.system === 'MEETING', {
      timeoutMs: 10_000,
      what: `${agentId} MEETING in Redis after the future-stamped presence`,
      explain: () => stack.explain([agentId]),
    });
  }, 30_000);

  it('a non-primary presence does not overwrite the primary one, which keeps its source', async () => {
    const agentId = 'agent-not-routable';
    await stack.act({ type: 'set-presence', agentId, presence: 'Available' });
    await pollUntil(async () => (await presenceOf(agentId))?.value.system === 'AVAILABLE', {
      timeoutMs: 10_000,
      what: `${agentId} AVAILABLE in Redis`,
    });
    const received = await stack.runtime.engine.metrics.registry.getSingleMetricAsString(
      'lockstep_events_received_total',
    );
    await inject(agentId, 'presence', {
      source: 'integration-x',
      primary: false,
      presenceDefinition: { id: BREAK_DEF, systemPresence: 'BREAK' },
      message: '',
      modifiedDate: new Date().toISOString(),
    });
    await pollUntil(
      async () =>
        (await stack.runtime.engine.metrics.registry.getSingleMetricAsString(
          'lockstep_events_received_total',
        )) !== received,
      { timeoutMs: 5_000, what: 'the non-primary presence to arrive' },
    );
    await stack.runtime.engine.idle();
    expect((await presenceOf(agentId))?.value).toEqual({
      system: 'AVAILABLE',
      definitionId: expect.any(String),
      source: 'PURECLOUD',
    });
  }, 30_000);
});
