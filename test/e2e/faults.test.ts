/**
 * Transport faults end to end: while (or right after) the simulator misbehaves, agents change state in the
 * simulator, so that events are missed; once the fault is over, the engine's view in Redis (presence, routing
 * status, station) equals the simulator's ground truth for EVERY tracked agent within 10 s. Heartbeats, pings
 * and the watchdog are shortened so that a dead socket is noticed in about a second and a half.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@lockstep/testkit';
import { fixture, type Stack, startStack } from '../support/stack.js';
import { engineView, sameView, truthView } from '../support/views.js';

const AGENTS = Array.from({ length: 10 }, (_, i) => `fault-agent-${String(i + 1).padStart(2, '0')}`);
const PRESENCES = ['On Queue', 'Available', 'Break', 'Meeting', 'Away'] as const;
/** The bound of the suite: agreement within this long after the fault is over. */
const CONVERGE_MS = 10_000;
const WATCHDOG_MS = 1_500;

interface SimStats {
  eventsUnrouted: number;
  liveTokens: number;
  dropped: { noSocket: number; silentSocket: number };
}

interface SimChannel {
  id: string;
  connected: boolean;
  socketState: 'open' | 'silent' | 'none';
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('faults-world.json'),
    simArgs: ['--heartbeat-ms', '300'],
    engineEnv: {
      LOCKSTEP_AGENTS: 'division:e2e-faults-division',
      LOCKSTEP_PING_INTERVAL_MS: '250',
      LOCKSTEP_WATCHDOG_TIMEOUT_MS: String(WATCHDOG_MS),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
    },
  });
  await converged(20_000, 'the first resync');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/**
 * Waits until the engine's view equals the ground truth for every tracked agent (the tracked set included) and
 * returns when it first did.
 */
async function converged(timeoutMs: number, after: string): Promise<number> {
  return pollUntil(
    async () => {
      const tracked = [...stack.runtime.engine.agents()].sort();
      if (tracked.join() !== AGENTS.join()) return false;
      const world = await stack.truth();
      for (const agentId of tracked) {
        const t = world.get(agentId);
        if (t === undefined || !sameView(await engineView(stack.reads, agentId), truthView(t))) return false;
      }
      return Date.now();
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: `the engine's view to equal the simulator's ground truth for every agent after ${after}`,
      explain: async () =>
        `tracked: ${[...stack.runtime.engine.agents()].sort().join(', ') || 'none'}\n${await stack.explain(AGENTS)}`,
    },
  );
}

/**
 * Moves every agent to another presence (each round shifts it, so every agent changes) and associates or
 * disassociates stations, through world actions: the simulator emits the events a real platform would.
 */
async function changeStates(round: number): Promise<void> {
  const world = await stack.truth();
  for (const [i, agentId] of AGENTS.entries()) {
    const presence = PRESENCES[(i + round) % PRESENCES.length];
    await stack.act({ type: 'set-presence', agentId, presence });
    const associate = (i + round) % 3 !== 0;
    if (associate !== (world.get(agentId)?.station?.associated === true)) {
      await stack.act({ type: associate ? 'associate-station' : 'disassociate-station', agentId });
    }
  }
}

const stats = () => stack.sim.control<SimStats>('GET', '/__sim/stats');
/** Events the simulator could not deliver to the engine: no channel, no socket, or a silenced socket. */
const missed = (s: SimStats) => s.eventsUnrouted + s.dropped.noSocket + s.dropped.silentSocket;
const fault = (body: Record<string, unknown>) =>
  stack.sim.control<{ id: string; active: boolean; affected?: number }>('POST', '/__sim/faults', body);
const channels = async () =>
  (await stack.sim.control<{ entities: SimChannel[] }>('GET', '/__sim/channels')).entities;

/** Waits until the simulator lists no active lasting fault (the fault is over). */
async function faultsOver(timeoutMs: number): Promise<void> {
  await pollUntil(
    async () =>
      (await stack.sim.control<{ entities: unknown[] }>('GET', '/__sim/faults')).entities.length === 0,
    { timeoutMs, what: 'the simulator to end its lasting fault' },
  );
}

async function resyncCount(): Promise<number> {
  const text = await stack.runtime.engine.metrics.registry.getSingleMetricAsString('lockstep_resyncs_total');
  let total = 0;
  for (const m of text.matchAll(/^lockstep_resyncs_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm)) total += Number(m[1]);
  return total;
}

describe('the engine view converges to the ground truth after each transport fault', () => {
  it('a socket killed silently (no close, no heartbeats, pings unanswered)', async () => {
    const before = await stats();
    const kill = await fault({ kind: 'socket-kill' });
    expect(kill.affected).toBeGreaterThan(0);
    await changeStates(1);
    // The changes were made while the socket was silent: their events are lost, not merely late.
    expect(missed(await stats())).toBeGreaterThan(missed(before));
    await converged(CONVERGE_MS, 'a silent socket');
  });

  it('v2.system.socket_closing (maintenance), with changes before and after the close', async () => {
    const old = (await channels()).filter((c) => c.connected).map((c) => c.id);
    expect(old.length).toBeGreaterThan(0);
    await fault({ kind: 'socket-closing', closeAfterMs: 500 });
    await changeStates(2);
    await pollUntil(
      async () => (await channels()).every((c) => !old.includes(c.id) || c.socketState !== 'open'),
      { timeoutMs: 5_000, what: 'the simulator to close the sockets it announced' },
    );
    await changeStates(3);
    await converged(CONVERGE_MS, 'socket_closing');
  });

  it('heartbeats stopped for a while', async () => {
    await fault({ kind: 'heartbeats-stop', durationMs: 2_500 });
    await changeStates(4);
    await faultsOver(10_000);
    await changeStates(5);
    await converged(CONVERGE_MS, 'heartbeats stopped');
  });

  it('the channel expired', async () => {
    const expired = await fault({ kind: 'channel-expire' });
    expect(expired.affected).toBeGreaterThan(0);
    await changeStates(6);
    await converged(CONVERGE_MS, 'channel expiry');
    // The engine works on live channels again, not on the expired ones.
    const live = (await channels()).filter((c) => c.connected);
    expect(live.length).toBeGreaterThan(0);
  });

  it('the token revoked, then a silent socket that needs a REST resync with a new token', async () => {
    const revoked = await fault({ kind: 'token-revoke' });
    expect(revoked.affected).toBeGreaterThan(0);
    const before = await stats();
    await fault({ kind: 'socket-kill' });
    await changeStates(7);
    expect(missed(await stats())).toBeGreaterThan(missed(before));
    await converged(CONVERGE_MS, 'a token revocation');
    // Catching up needed REST reads, so the engine authenticated again.
    expect((await stats()).liveTokens).toBeGreaterThan(0);
  });

  it('a 429 storm while the engine resyncs after a gap', async () => {
    const stormMs = 4_000;
    const resyncsBefore = await resyncCount();
    const before = await stats();
    const stormStartedAt = Date.now();
    await fault({ kind: 'rate-limit-storm', durationMs: stormMs, retryAfterSec: 1 });
    await fault({ kind: 'socket-kill' });
    await changeStates(8);
    expect(missed(await stats())).toBeGreaterThan(missed(before));
    // Watched from the start: the missed changes can only come back over REST, which refuses everything until
    // the storm is over; from then on the usual 10 s apply.
    const convergedAt = await converged(stormMs + CONVERGE_MS, 'a rate-limit storm');
    expect(convergedAt).toBeGreaterThanOrEqual(stormStartedAt + stormMs - 200);
    expect(convergedAt - (stormStartedAt + stormMs)).toBeLessThanOrEqual(CONVERGE_MS);
    await faultsOver(1_000);
    expect(await resyncCount()).toBeGreaterThan(resyncsBefore);
  });
});
