import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { initialAgentSnapshot, persistAgent, stepAgent, stepAgentEvents } from './agent.js';
import type { AgentEvent } from './events.js';
import { createAgentMachine } from './machine.js';
import { DEFAULT_POLICY, parsePolicy, RULE_IDS, type Policy } from './policy.js';
import type { SignalUpdate } from './signals.js';

const T0 = 1_700_000_000_000;
const machine = createAgentMachine(DEFAULT_POLICY);

// Small value domains and coarse times so that ties (same `at`, different value) are frequent.
const at = fc.integer({ min: 0, max: 40 }).map((n) => T0 + n * 15_000);
const source = fc.constantFrom<SignalUpdate['source']>('event', 'resync', 'correction');
const update: fc.Arbitrary<SignalUpdate> = fc.oneof(
  fc.record({
    signal: fc.constant('presence' as const),
    value: fc.record({
      system: fc.constantFrom('ON_QUEUE', 'AVAILABLE', 'BREAK', 'OFFLINE' as const),
      definitionId: fc.constantFrom(null, 'def-1'),
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
    value: fc.record({ stationId: fc.constantFrom(null, 'st-1', 'st-2') }),
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
  fc.record({
    signal: fc.constant('schedule' as const),
    value: fc.record({
      category: fc.constantFrom('OnQueueWork', 'Break', 'Meal' as const),
      activityCodeId: fc.constant('0'),
      adherence: fc.constantFrom(null, 'InAdherence', 'Explained' as const),
    }),
    at,
    source,
  }),
);

function runAll(events: readonly AgentEvent[], policy: Policy = DEFAULT_POLICY) {
  const m = policy === DEFAULT_POLICY ? machine : createAgentMachine(policy);
  let snapshot = initialAgentSnapshot(m, 'agent-p', T0);
  const effects = [];
  for (const event of events) {
    const result = stepAgent(m, snapshot, event);
    snapshot = result.snapshot;
    effects.push(...result.effects);
  }
  return { snapshot, effects };
}

/** The updates in another order, with some of them duplicated, some delivered in RESYNC batches. */
const reordering = (updates: readonly SignalUpdate[]) =>
  fc
    .record({
      keys: fc.array(fc.double({ noNaN: true }), {
        minLength: updates.length * 2,
        maxLength: updates.length * 2,
      }),
      duplicate: fc.array(fc.boolean(), { minLength: updates.length, maxLength: updates.length }),
      batch: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ keys, duplicate, batch }) => {
      const copies = [...updates, ...updates.filter((_, i) => duplicate[i])];
      const order = copies.map((u, i) => ({ u, k: keys[i] ?? 0 })).sort((a, b) => a.k - b.k);
      const events: AgentEvent[] = [];
      for (let i = 0; i < order.length; i += batch) {
        const chunk = order.slice(i, i + batch).map((o) => o.u);
        if (chunk.length === 1 && chunk[0] !== undefined) events.push({ type: 'SIGNAL', update: chunk[0] });
        else events.push({ type: 'RESYNC', at: T0, updates: chunk });
      }
      return events;
    });

const openFacts = (snapshot: ReturnType<typeof runAll>['snapshot']) =>
  Object.entries(snapshot.context.findings).map(([ruleId, f]) => ({
    ruleId,
    since: f?.since,
    summary: f?.summary,
    evidence: f?.evidence,
  }));

const anyEvent: fc.Arbitrary<AgentEvent> = fc.oneof(
  { weight: 4, arbitrary: update.map((u): AgentEvent => ({ type: 'SIGNAL', update: u })) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 900_000 }).map((n): AgentEvent => ({ type: 'TICK', now: T0 + n })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ presence: fc.constantFrom('ON_QUEUE', 'BREAK' as const), a: at })
      .map((d): AgentEvent => ({
        type: 'DECLARE',
        presence: d.presence,
        by: 'ext',
        at: d.a,
        ttlMs: 300_000,
      })),
  },
);

const maxGrace = Math.max(...RULE_IDS.map((id) => DEFAULT_POLICY.rules[id].graceMs));

describe('properties', () => {
  test('any interleaving, duplication or reordering of the same updates ends in the same state', () => {
    fc.assert(
      fc.property(
        fc
          .array(update, { minLength: 1, maxLength: 14 })
          .chain((updates) => fc.tuple(fc.constant(updates), reordering(updates))),
        ([updates, reordered]) => {
          const inOrder = updates.map((u): AgentEvent => ({ type: 'SIGNAL', update: u }));
          const a = runAll(inOrder);
          const b = runAll(reordered);
          expect(b.snapshot.context.signals).toEqual(a.snapshot.context.signals);
          expect(b.snapshot.context.episodes).toEqual(a.snapshot.context.episodes);
          expect(b.snapshot.context.clock).toBe(a.snapshot.context.clock);
          expect(b.snapshot.value).toMatchObject({
            status: (a.snapshot.value as { status: unknown }).status,
          });

          // Once every grace has elapsed, the open findings are the same, with the same facts.
          const settle: AgentEvent = { type: 'TICK', now: a.snapshot.context.clock + maxGrace };
          const sa = stepAgent(machine, a.snapshot, settle).snapshot;
          const sb = stepAgent(machine, b.snapshot, settle).snapshot;
          expect(openFacts(sb)).toEqual(openFacts(sa));
          expect(sb.value).toEqual(sa.value);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('no finding fires inside its grace', () => {
    // Found by this property: NOT_RESPONDING episodes arriving after a newer routing status; the finding listed
    // that later status as evidence, inside the grace (1 ms for repeated-not-responding).
    const REPEATED_NR_GRACES = RULE_IDS.map((id) => (id === 'repeated-not-responding' ? 1 : 0));
    const routing = (value: 'OFF_QUEUE' | 'NOT_RESPONDING', at: number): AgentEvent => ({
      type: 'SIGNAL',
      update: { signal: 'routing', value, at, source: 'event' },
    });
    const REPEATED_NR_EVENTS: AgentEvent[] = [
      routing('OFF_QUEUE', 1_700_000_045_000),
      routing('NOT_RESPONDING', 1_700_000_000_000),
      routing('NOT_RESPONDING', 1_700_000_015_000),
      routing('NOT_RESPONDING', 1_700_000_030_000),
      {
        type: 'SIGNAL',
        update: {
          signal: 'presence',
          value: { system: 'ON_QUEUE', definitionId: null },
          at: 1_700_000_000_000,
          source: 'event',
        },
      },
    ];
    const graces = fc.tuple(...RULE_IDS.map(() => fc.integer({ min: 0, max: 120_000 })));
    fc.assert(
      fc.property(graces, fc.array(anyEvent, { minLength: 1, maxLength: 25 }), (g, events) => {
        const policy = parsePolicy({
          rules: Object.fromEntries(RULE_IDS.map((id, i) => [id, { graceMs: g[i] }])),
        });
        const { effects } = runAll(events, policy);
        for (const effect of effects) {
          if (effect.type !== 'finding.opened') continue;
          const { finding } = effect;
          const grace = policy.rules[finding.ruleId].graceMs;
          expect(finding.openedAt - finding.since).toBeGreaterThanOrEqual(grace);
          for (const e of finding.evidence) expect(e.at).toBeLessThanOrEqual(finding.openedAt - grace);
        }
      }),
      // The tuple arbitrary types its value as a fixed-length tuple; the example has the same length.
      { numRuns: 300, examples: [[REPEATED_NR_GRACES as never, REPEATED_NR_EVENTS]] },
    );
  });

  test('events folded into one step (EVENTS batches) give the same context and effects as separate steps', () => {
    const graces = fc.tuple(...RULE_IDS.map(() => fc.integer({ min: 0, max: 60_000 })));
    fc.assert(
      fc.property(
        graces,
        fc.array(anyEvent, { minLength: 1, maxLength: 25 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 25, maxLength: 25 }),
        (g, events, sizes) => {
          const policy = parsePolicy({
            rules: Object.fromEntries(RULE_IDS.map((id, i) => [id, { graceMs: g[i], action: 'correct' }])),
          });
          const m = createAgentMachine(policy);
          const separate = runAll(events, policy);
          let snapshot = initialAgentSnapshot(m, 'agent-p', T0);
          const effects = [];
          for (let i = 0, b = 0; i < events.length; b++) {
            const size = sizes[b] ?? 1;
            const result = stepAgentEvents(m, snapshot, events.slice(i, i + size));
            snapshot = result.snapshot;
            effects.push(...result.effects);
            i += size;
          }
          expect(persistAgent(snapshot)).toEqual(persistAgent(separate.snapshot));
          expect(effects).toEqual(separate.effects);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('events that change nothing return the same context object', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { minLength: 1, maxLength: 20 }), (events) => {
        const { snapshot } = runAll(events);
        // Replaying every event again (all stale or duplicate now) leaves the context untouched.
        const again = stepAgentEvents(machine, snapshot, events);
        const changed =
          JSON.stringify(persistAgent(again.snapshot)) !== JSON.stringify(persistAgent(snapshot));
        if (again.snapshot.context === snapshot.context) {
          expect(changed).toBe(false);
          expect(again.effects).toEqual([]);
        }
        // A pure duplicate of the last SIGNAL event is always recognised as unchanged.
        const last = [...events].reverse().find((e) => e.type === 'SIGNAL');
        if (last !== undefined) {
          const dup = stepAgentEvents(machine, again.snapshot, [last, last]);
          expect(dup.snapshot.context).toBe(again.snapshot.context);
          expect(dup.effects).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
