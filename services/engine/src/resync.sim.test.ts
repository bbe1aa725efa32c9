import type { AgentEvent, SignalUpdate } from '@lockstep/domain';
import { createGenesysApi, type GenesysApi, systemClock } from '@lockstep/genesys';
import { pollUntil, type SimProcess, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { createEventMapper } from './pipeline/map-event.js';
import { createResyncer } from './resync.js';
import { interactionTotals } from './rest-mapping.js';

interface Truth {
  id: string;
  name: string;
}

let sim: SimProcess;
let api: GenesysApi;
let truth: Truth[];
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  sim = await startSim({ scenario: 'calm-day' });
  api = createGenesysApi({
    options: {
      target: { apiBase: sim.baseUrl },
      clientId: 'lockstep-demo',
      clientSecret: 'lockstep-demo-secret',
      pacing: { ratePerMinute: 3000 },
    },
    logger,
  });
  await api.start();
  truth = await sim.control<Truth[]>('GET', '/__sim/agents');
}, 60_000);

afterAll(async () => {
  api?.close();
  await sim?.stop();
});

describe('resync reconciles the conversation map with REST', () => {
  it('a call whose "disconnected" event was lost stops counting at the next resync', async () => {
    const agentId = truth.find((a) => a.name.startsWith('Support Agent'))?.id as string;
    // Off queue and with no call left, the platform's conversation summary of this agent stays at zero.
    await sim.control('POST', '/__sim/actions', { type: 'set-presence', agentId, presence: 'Away' });
    await sim.control('POST', '/__sim/actions', { type: 'end-call', agentId });
    await pollUntil(
      async () => {
        const counts = interactionTotals((await api.users.getUser(agentId)).conversationSummary);
        return counts?.active === 0 && counts.acw === 0;
      },
      { timeoutMs: 40_000, what: 'no interaction left in the simulator' },
    );

    const mapper = createEventMapper();
    const call = (conversationId: string, connected: boolean) =>
      mapper.map(
        {
          kind: 'conversation',
          topicName: `v2.users.${agentId}.conversations`,
          agentId,
          conversationId,
          active: connected,
          alerting: false,
          acw: false,
        },
        Date.now(),
      );
    // The engine saw a call connect; its "disconnected" event is lost.
    expect(call('ghost', true)).toMatchObject({ updates: [{ value: { active: 1, acw: 0 } }] });

    const submitted: AgentEvent[] = [];
    const resyncer = createResyncer({
      api,
      pipeline: { submit: (_agent, event) => void submitted.push(event) },
      metrics: createMetrics(),
      logger,
      clock: systemClock,
      wfm: { enabled: () => false, forbidden: () => undefined },
      tracked: (id) => id === agentId,
      conversations: mapper,
    });
    resyncer.request([agentId], 'safety');
    await resyncer.idle();
    await resyncer.close();

    const read = submitted.find((e) => e.type === 'RESYNC');
    const interactions =
      read?.type === 'RESYNC' ? read.updates.find((u) => u.signal === 'interactions') : undefined;
    expect(interactions).toMatchObject<Partial<SignalUpdate>>({ value: { active: 0, acw: 0 } });
    // The next call counts alone: the ghost is gone from the map, so the agent is not "busy" with two calls.
    expect(call('next', true)).toMatchObject({ updates: [{ value: { active: 1, acw: 0 } }] });
    expect(call('next', false)).toMatchObject({ updates: [{ value: { active: 0, acw: 0 } }] });
  }, 60_000);
});
