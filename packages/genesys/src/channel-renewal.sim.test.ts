import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelPool } from './channel-pool.js';
import { channelRef } from './pool/channel-ref.js';
import type { GapNotice } from './pool/types.js';
import { type SimFixture, startSimFixture, waitFor } from './testing/sim-fixture.js';

// Channels live 2 s on this simulator; the pool renews 1 s before expiry.
const TTL_MS = 2_000;

let fx: SimFixture;
let agentId: string;

beforeAll(async () => {
  fx = await startSimFixture(['--channel-ttl-ms', String(TTL_MS)]);
  const truth = await fx.sim.control<Array<{ id: string }>>('GET', '/__sim/agents');
  agentId = truth[0]!.id;
});
afterAll(async () => {
  await fx?.stop();
});

describe('channel renewal before expiry', () => {
  for (const mode of ['resubscribe', 'replace'] as const) {
    it(`keeps the subscription alive past the channel lifetime (${mode})`, async () => {
      const api = fx.api();
      await api.start();
      const lines: string[] = [];
      const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
      const pool = createChannelPool({
        api,
        logger,
        options: {
          pingIntervalMs: 100,
          watchdogTimeoutMs: 700,
          handoverDrainMs: 200,
          renewBeforeExpiryMs: 1_000,
          channelRenewal: mode,
        },
      });
      const gaps: GapNotice[] = [];
      pool.onGap((g) => gaps.push(g));
      try {
        await pool.setAgents([agentId]);
        await pool.start();
        const first = pool.stats().channels[0]!;
        // Outlive two channel lifetimes.
        await new Promise((r) => setTimeout(r, 2 * TTL_MS + 300));
        const now = pool.stats().channels[0]!;
        expect(now.connected).toBe(true);
        expect(now.expiresAt).toBeGreaterThan(first.expiresAt! + TTL_MS);
        // Resubscribing keeps the channel; replacing opens a new one.
        expect(now.channelId === first.channelId).toBe(mode === 'resubscribe');
        expect(await api.notifications.channelExists(now.channelId!)).toBe(true);
        // Events still flow, and no gap beyond the start one was needed.
        const events: string[] = [];
        pool.onEvent((e) => events.push(e.kind));
        const busy = (await api.users.listPresenceDefinitions()).find(
          (d) => d.systemPresence === 'Busy',
        )!.id!;
        await api.users.patchPresence(agentId, busy);
        await waitFor(() => events.includes('presence'), 5_000, 'presence event');
        expect(gaps.map((g) => g.reason)).toEqual(['start']);
        // A channel id is the WebSocket's credential: the logs name channels by a hash only.
        const log = lines.join('');
        expect(log).not.toContain(first.channelId!);
        expect(log).not.toContain(now.channelId!);
        expect(log).toContain(channelRef(now.channelId));
      } finally {
        await pool.close();
      }
    });
  }
});
