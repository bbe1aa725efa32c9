import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { initialAgentSnapshot, stepAgent } from '../agent.js';
import type { AgentEvent } from '../events.js';
import { createAgentMachine } from '../machine.js';
import { DEFAULT_POLICY } from '../policy.js';
import { isBusy } from '../rules/facts.js';
import type { SignalUpdate } from '../signals.js';
import { isFinal } from './types.js';

const T0 = 1_700_000_000_000;
const machine = createAgentMachine(DEFAULT_POLICY);
const at = fc.integer({ min: 0, max: 60 }).map((n) => T0 + n * 10_000);
const source = fc.constantFrom<SignalUpdate['source']>('event', 'resync', 'correction');

const update: fc.Arbitrary<SignalUpdate> = fc.oneof(
  fc.record({
    signal: fc.constant('presence' as const),
    value: fc.record({
      system: fc.constantFrom('ON_QUEUE', 'AVAILABLE', 'BREAK', 'OFFLINE' as const),
      definitionId: fc.constant(null),
      source: fc.constantFrom('PURECLOUD', 'external-router'),
    }),
    at,
    source,
  }),
  fc.record({
    signal: fc.constant('routing' as const),
    value: fc.constantFrom('OFF_QUEUE', 'IDLE', 'INTERACTING', 'NOT_RESPONDING', 'COMMUNICATING' as const),
    at,
    source,
  }),
  fc.record({
    signal: fc.constant('station' as const),
    value: fc.record({ stationId: fc.constantFrom(null, 'st-1') }),
    at,
    source,
  }),
  fc.record({
    signal: fc.constant('stationHealth' as const),
    value: fc.constantFrom('ok', 'dead' as const),
    at,
    source,
  }),
  fc.record({
    signal: fc.constant('interactions' as const),
    value: fc.record({ active: fc.integer({ min: 0, max: 1 }), acw: fc.integer({ min: 0, max: 1 }) }),
    at,
    source,
  }),
);

const declaration: fc.Arbitrary<AgentEvent> = fc
  .record({
    at,
    from: fc.integer({ min: 0, max: 60 }),
    length: fc.integer({ min: 1, max: 60 }),
    presence: fc.constantFrom('ON_QUEUE', 'BREAK' as const),
    by: fc.constantFrom('external-wfm', 'supervisor-7'),
  })
  .map(({ at: declaredAt, from, length, presence, by }) => ({
    type: 'DECLARE',
    presence,
    by,
    at: declaredAt,
    validFrom: T0 + from * 10_000,
    validUntil: T0 + (from + length) * 10_000,
  }));

const event: fc.Arbitrary<AgentEvent> = fc.oneof(
  { weight: 6, arbitrary: update.map((u): AgentEvent => ({ type: 'SIGNAL', update: u })) },
  { weight: 2, arbitrary: declaration },
  { weight: 2, arbitrary: at.map((now): AgentEvent => ({ type: 'TICK', now })) },
);

describe('declared desired state, over random interleavings of calls, presence changes and declarations', () => {
  test('no correction is ever planned while the agent has an interaction, and outcomes hold what they say', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 40 }), (events) => {
        let snapshot = initialAgentSnapshot(machine, 'agent-p', T0);
        for (const e of events) {
          const result = stepAgent(machine, snapshot, e);
          snapshot = result.snapshot;
          const context = snapshot.context;
          for (const effect of result.effects) {
            if (effect.type === 'correction.intended') expect(isBusy(context.signals)).toBe(false);
            if (effect.type === 'declaration.applied') {
              expect(context.signals.presence?.value.system).toBe(effect.declaration.presence);
            }
            if (effect.type === 'declaration.expired')
              expect(context.clock).toBeGreaterThanOrEqual(effect.declaration.validUntil);
          }
          const d = context.desired;
          // A declaration in force always has a wake-up at or before its next boundary.
          if (d !== null && !isFinal(d.outcome.status)) {
            const boundary = context.clock < d.validFrom ? d.validFrom : d.validUntil;
            expect(context.deadline).not.toBeNull();
            expect(context.deadline as number).toBeLessThanOrEqual(boundary);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
