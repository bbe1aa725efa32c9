import { ROUTING_STATUSES, SYSTEM_PRESENCES, type CorrectionTarget } from '@lockstep/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FreshAgent } from './fresh-state.js';
import { guardCorrection } from './guards.js';

const idle: FreshAgent = {
  agentId: 'a',
  presence: { system: 'AVAILABLE', definitionId: 'def-available', source: 'PURECLOUD' },
  routing: 'OFF_QUEUE',
  stationId: 'station-1',
  interactions: { active: 0, acw: 0 },
  readAt: 0,
};
const onQueue: CorrectionTarget = {
  kind: 'set-presence',
  target: { presence: 'ON_QUEUE', definitionId: null },
};
const ok = { stationHealth: 'ok' } as const;

const target: fc.Arbitrary<CorrectionTarget> = fc.oneof(
  fc.record({
    kind: fc.constant('set-presence' as const),
    target: fc.record({
      presence: fc.constantFrom(...SYSTEM_PRESENCES),
      definitionId: fc.option(fc.constantFrom('def-a', 'def-b'), { nil: null }),
    }),
  }),
  fc.record({
    kind: fc.constant('set-routing-status' as const),
    target: fc.record({ status: fc.constantFrom(...ROUTING_STATUSES) }),
  }),
);
const fresh: fc.Arbitrary<FreshAgent> = fc.record({
  agentId: fc.constant('a'),
  presence: fc.option(
    fc.record({
      system: fc.constantFrom(...SYSTEM_PRESENCES),
      definitionId: fc.option(fc.constantFrom('def-a', 'def-b'), { nil: null }),
      source: fc.option(fc.constantFrom('PURECLOUD', 'external-wfm'), { nil: null }),
    }),
    { nil: null },
  ),
  routing: fc.option(fc.constantFrom(...ROUTING_STATUSES), { nil: null }),
  stationId: fc.constantFrom('station-1', null, undefined),
  interactions: fc.option(fc.record({ active: fc.nat(3), acw: fc.nat(3) }), { nil: null }),
  readAt: fc.nat(),
});
const health = fc.constantFrom('ok', 'dead', 'unknown') as fc.Arbitrary<'ok' | 'dead' | 'unknown'>;

describe('guardCorrection', () => {
  it('defers an agent on a call, in wrap-up or interacting, and sends once idle', () => {
    expect(guardCorrection(onQueue, { ...idle, interactions: { active: 1, acw: 0 } }, ok)).toEqual({
      verdict: 'defer',
      reason: 'has an interaction (1 active, 0 in wrap-up)',
    });
    expect(guardCorrection(onQueue, { ...idle, interactions: { active: 0, acw: 1 } }, ok).verdict).toBe(
      'defer',
    );
    expect(guardCorrection(onQueue, { ...idle, routing: 'INTERACTING' }, ok).verdict).toBe('defer');
    expect(guardCorrection(onQueue, { ...idle, interactions: null }, ok).verdict).toBe('defer');
    expect(guardCorrection(onQueue, idle, ok)).toEqual({ verdict: 'send' });
  });

  it('never re-sends a presence that already matches', () => {
    const already = {
      ...idle,
      presence: { system: 'ON_QUEUE' as const, definitionId: 'def-oq', source: null },
    };
    expect(guardCorrection(onQueue, already, ok)).toEqual({
      verdict: 'skip',
      reason: 'presence already ON_QUEUE',
    });
    const routing: CorrectionTarget = { kind: 'set-routing-status', target: { status: 'OFF_QUEUE' } };
    expect(guardCorrection(routing, idle, ok).verdict).toBe('skip');
  });

  it('refuses to make an agent routable without a station or with a dead one', () => {
    expect(guardCorrection(onQueue, { ...idle, stationId: null }, ok)).toEqual({
      verdict: 'refuse',
      reason: 'no station associated',
    });
    expect(guardCorrection(onQueue, idle, { stationHealth: 'dead' })).toEqual({
      verdict: 'refuse',
      reason: 'station known dead',
    });
    const away: CorrectionTarget = { kind: 'set-presence', target: { presence: 'AWAY', definitionId: null } };
    expect(guardCorrection(away, { ...idle, stationId: null }, { stationHealth: 'dead' })).toEqual({
      verdict: 'send',
    });
  });

  it('property: an agent with any interaction, or whose read does not say, is always deferred', () => {
    const busy = fc.oneof(
      fresh.chain((f) =>
        fc
          .record({ active: fc.nat(3), acw: fc.nat(3) })
          .filter((c) => c.active + c.acw > 0)
          .map((interactions) => ({ ...f, interactions })),
      ),
      fresh.map((f) => ({ ...f, interactions: null })),
      fresh.chain((f) =>
        fc
          .constantFrom('INTERACTING' as const, 'COMMUNICATING' as const)
          .map((routing) => ({ ...f, routing })),
      ),
    );
    fc.assert(
      fc.property(target, busy, health, (t, f, h) => {
        expect(guardCorrection(t, f, { stationHealth: h }).verdict).toBe('defer');
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: never sends an On Queue or IDLE without a live station, nor a presence that matches', () => {
    fc.assert(
      fc.property(target, fresh, health, (t, f, h) => {
        const verdict = guardCorrection(t, f, { stationHealth: h });
        const routable =
          (t.kind === 'set-presence' && t.target.presence === 'ON_QUEUE') ||
          (t.kind === 'set-routing-status' && t.target.status === 'IDLE');
        const unsafeStation = typeof f.stationId !== 'string' || h === 'dead';
        expect(verdict.verdict === 'send' && routable && unsafeStation).toBe(false);
        const matches =
          t.kind === 'set-presence' &&
          f.presence?.system === t.target.presence &&
          t.target.definitionId === null;
        expect(verdict.verdict === 'send' && matches).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
