import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GenesysApi } from './api.js';
import { type ChannelPool, type ChannelPoolOptions, createChannelPool } from './channel-pool.js';
import type { GapNotice } from './pool/types.js';
import type { GenesysEvent } from './schemas/events.js';
import {
  type CLIENTS,
  type SimFixture,
  silentLogger,
  startSimFixture,
  waitFor,
} from './testing/sim-fixture.js';

const FAST: ChannelPoolOptions = {
  pingIntervalMs: 100,
  watchdogTimeoutMs: 700,
  handoverDrainMs: 300,
  reconnectBackoff: { baseMs: 50, maxMs: 500 },
};

let fx: SimFixture;
let agentIds: string[];
let defs: { busy: string; available: string };
const pools: ChannelPool[] = [];

interface Harness {
  api: GenesysApi;
  pool: ChannelPool;
  events: GenesysEvent[];
  gaps: GapNotice[];
  wfmOff: string[][];
}

async function harness(
  agents: string[],
  opts: ChannelPoolOptions = {},
  client: keyof typeof CLIENTS = 'full',
): Promise<Harness> {
  const api = fx.api(client);
  await api.start();
  const pool = createChannelPool({ api, logger: silentLogger, options: { ...FAST, ...opts } });
  pools.push(pool);
  const h: Harness = { api, pool, events: [], gaps: [], wfmOff: [] };
  pool.onEvent((e) => h.events.push(e));
  pool.onGap((g) => h.gaps.push(g));
  pool.onWfmDisabled((ids) => h.wfmOff.push([...ids]));
  await pool.setAgents(agents);
  await pool.start();
  return h;
}

/** Patches the agent's presence and waits for the matching decoded event. */
async function presenceRoundTrip(h: Harness, agentId: string, to: 'busy' | 'available') {
  const from = h.events.length;
  await h.api.users.patchPresence(agentId, defs[to]);
  const want = to === 'busy' ? 'BUSY' : 'AVAILABLE';
  return waitFor(
    () =>
      h.events
        .slice(from)
        .find((e) => e.kind === 'presence' && e.agentId === agentId && e.systemPresence === want),
    5_000,
    `presence ${want} for ${agentId}`,
  );
}

const channelOf = (h: Harness) => h.pool.stats().channels[0]?.channelId;

beforeAll(async () => {
  fx = await startSimFixture();
  const truth = await fx.sim.control<Array<{ id: string }>>('GET', '/__sim/agents');
  agentIds = truth.map((a) => a.id);
  const api = fx.api();
  await api.start();
  const list = await api.users.listPresenceDefinitions();
  const id = (sp: string) => list.find((d) => d.systemPresence === sp)?.id ?? '';
  defs = { busy: id('Busy'), available: id('Available') };
});
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});
afterAll(async () => {
  await fx?.stop();
});

describe('channel pool against the simulator', () => {
  it('subscribes, reports a start gap and delivers decoded events after a presence PATCH', async () => {
    const h = await harness(agentIds.slice(0, 3));
    await waitFor(() => h.gaps.find((g) => g.reason === 'start'), 5_000, 'start gap');
    expect(h.gaps[0]?.agentIds.slice().sort()).toEqual(agentIds.slice(0, 3).sort());
    const ev = await presenceRoundTrip(h, agentIds[0]!, 'busy');
    expect(ev).toMatchObject({ kind: 'presence', systemPresence: 'BUSY', definitionId: defs.busy });
    const s = h.pool.stats();
    expect(s.channels).toHaveLength(1);
    expect(s.channels[0]?.connected).toBe(true);
    expect(s.decodeErrors).toBe(0);
  });

  it('detects a silently dead socket with the watchdog and reconnects with a gap', async () => {
    const h = await harness([agentIds[3]!]);
    const channelId = channelOf(h)!;
    await fx.sim.control('POST', '/__sim/faults', { kind: 'socket-kill', channelId });
    const gap = await waitFor(() => h.gaps.find((g) => g.reason === 'reconnect'), 5_000, 'reconnect gap');
    expect(gap.agentIds).toEqual([agentIds[3]]);
    expect(channelOf(h)).toBe(channelId);
    await presenceRoundTrip(h, agentIds[3]!, 'busy');
  });

  it('replaces the channel on socket_closing before the old socket closes, without a gap', async () => {
    const h = await harness([agentIds[4]!]);
    const first = channelOf(h)!;
    await fx.sim.control('POST', '/__sim/faults', {
      kind: 'socket-closing',
      channelId: first,
      closeAfterMs: 2_000,
    });
    await waitFor(() => channelOf(h) !== first, 5_000, 'replacement channel');
    const busy = await presenceRoundTrip(h, agentIds[4]!, 'busy');
    // While both sockets are subscribed, the event arrives twice on the wire but once here.
    await new Promise((r) => setTimeout(r, 150));
    expect(h.events.filter((e) => e.correlationId === busy.correlationId)).toHaveLength(1);
    // Wait until the old socket has been closed by the server, then check no gap was needed.
    await new Promise((r) => setTimeout(r, 2_200));
    await presenceRoundTrip(h, agentIds[4]!, 'available');
    expect(h.gaps.map((g) => g.reason)).toEqual(['start']);
    expect(h.pool.stats().channels[0]?.handovers).toBe(1);
  });

  it('recovers from channel expiry with a new channel and an expiry gap', async () => {
    const h = await harness([agentIds[5]!]);
    const first = channelOf(h)!;
    await fx.sim.control('POST', '/__sim/faults', { kind: 'channel-expire', channelId: first });
    const gap = await waitFor(() => h.gaps.find((g) => g.reason === 'expiry'), 5_000, 'expiry gap');
    expect(gap.agentIds).toEqual([agentIds[5]]);
    expect(channelOf(h)).not.toBe(first);
    await presenceRoundTrip(h, agentIds[5]!, 'busy');
  });

  it('moves channels to the new token after a token revocation', async () => {
    const h = await harness([agentIds[6]!]);
    const first = channelOf(h)!;
    await fx.sim.control('POST', '/__sim/faults', { kind: 'token-revoke', clientId: 'lockstep-demo' });
    // The next REST call gets 401, logs in again once, and the pool replaces its channels.
    await h.api.users.getUser(agentIds[6]!);
    await waitFor(() => channelOf(h) !== first, 5_000, 'channel on the new token');
    await presenceRoundTrip(h, agentIds[6]!, 'busy');
    expect(h.gaps.map((g) => g.reason)).toEqual(['start']);
  });

  it('drops WFM topics for a client without WFM, warns once and keeps the other signals', async () => {
    const agents = agentIds.slice(7, 10);
    const h = await harness(agents, {}, 'noWfm');
    expect(h.wfmOff).toHaveLength(1);
    expect(h.wfmOff[0]?.slice().sort()).toEqual(agents.slice().sort());
    expect(h.pool.stats().wfmDisabledAgents).toBe(3);
    await presenceRoundTrip(h, agents[0]!, 'busy');
    // Adding an agent later does not warn again but still disables WFM for it.
    await h.pool.addAgents([agentIds[10]!]);
    expect(h.wfmOff).toHaveLength(2);
    expect(h.wfmOff[1]).toEqual([agentIds[10]]);
  });

  it('adds and removes agents live (removal = GET + PUT without their topics)', async () => {
    const [a, b] = [agentIds[11]!, agentIds[12]!];
    const h = await harness([a]);
    await h.pool.addAgents([b]);
    const gap = await waitFor(
      () => h.gaps.find((g) => g.agentIds.includes(b)),
      5_000,
      'gap for the added agent',
    );
    expect(gap.reason).toBe('start');
    await presenceRoundTrip(h, b, 'busy');
    await h.pool.removeAgents([a]);
    const subs = await h.api.notifications.getSubscriptions(channelOf(h)!);
    expect(subs.permitted.some((t) => t.includes(a))).toBe(false);
    expect(subs.permitted.some((t) => t.includes(b))).toBe(true);
    const from = h.events.length;
    await h.api.users.patchPresence(a, defs.busy);
    await presenceRoundTrip(h, b, 'available');
    expect(h.events.slice(from).some((e) => 'agentId' in e && e.agentId === a)).toBe(false);
  });

  it("decodes the simulator's conversation, activity and routing events without errors", async () => {
    const truth = await fx.sim.control<
      Array<{ id: string; presence: { systemPresence: string }; activeQueueIds: string[] }>
    >('GET', '/__sim/agents');
    const agent = truth.find(
      (a) =>
        a.presence.systemPresence === 'On Queue' &&
        a.activeQueueIds.length > 0 &&
        !agentIds.slice(0, 13).includes(a.id),
    );
    expect(agent).toMatchObject({ id: expect.any(String) });
    const h = await harness([agent!.id], { topics: { conversationTopic: 'conversations', activity: true } });
    const failures: string[] = [];
    h.pool.onDecodeError((f) => failures.push(`${f.reason}: ${f.topic ?? ''} ${f.detail}`));
    await fx.sim.control('POST', '/__sim/actions', {
      type: 'offer-call',
      queueId: agent!.activeQueueIds[0],
      agentId: agent!.id,
    });
    const conv = await waitFor(
      () => h.events.find((e) => e.kind === 'conversation' && e.agentId === agent!.id),
      5_000,
      'conversation event',
    );
    expect(conv).toMatchObject({ kind: 'conversation', active: true });
    await waitFor(() => h.events.find((e) => e.kind === 'activity'), 5_000, 'activity event');
    expect(failures).toEqual([]);
    expect(h.pool.stats().decodeErrors).toBe(0);
  });

  it('reports agents that exceed the channel capacity', async () => {
    const api = fx.api();
    await api.start();
    const pool = createChannelPool({
      api,
      logger: silentLogger,
      options: { ...FAST, maxChannels: 1, maxTopicsPerChannel: 4 },
    });
    pools.push(pool);
    await pool.start();
    const err = await pool.setAgents(agentIds.slice(0, 3)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GENESYS_CAPACITY_EXCEEDED', details: { agentIds: [agentIds[2]] } });
    expect(pool.stats().unplacedAgentIds).toEqual([agentIds[2]]);
    expect(pool.stats().agents).toBe(3);
    expect(pool.stats().channels).toHaveLength(1);
  });
});
