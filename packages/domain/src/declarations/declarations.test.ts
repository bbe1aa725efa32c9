import { describe, expect, test } from 'vitest';
import { persistAgent, restoreAgent } from '../agent.js';
import type { Effect } from '../effects.js';
import { type AgentEvent, parseAgentEvent } from '../events.js';
import {
  AGENT,
  Driver,
  interactions,
  presence,
  routing,
  signal,
  station,
  T0,
  tick,
} from '../testing/fixtures.js';
import type { DeclarationReport } from './types.js';

const MIN = 60_000;
// T0 is 2023-11-14T22:13:20Z, so FROM is 22:23:20Z.
const FROM = T0 + 10 * MIN;
const UNTIL = FROM + 60 * MIN;

const declare = (over: Partial<Extract<AgentEvent, { type: 'DECLARE' }>> = {}): AgentEvent => ({
  type: 'DECLARE',
  presence: 'ON_QUEUE',
  by: 'external-wfm',
  at: T0,
  validFrom: FROM,
  validUntil: UNTIL,
  reason: 'Tuesday ready push',
  ...over,
});
const presenceFrom = (system: 'ON_QUEUE' | 'AVAILABLE' | 'BREAK' | 'OFFLINE', at: number, source: string) =>
  signal('presence', { system, definitionId: null, source }, at);

/** An agent logged in, Available, off queue, station associated, no interaction. */
function ready(): Driver {
  const d = new Driver();
  d.send(presence('AVAILABLE', T0), routing('OFF_QUEUE', T0), station('st-1', T0), interactions(0, 0, T0));
  return d;
}

const intents = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === 'correction.intended' ? [e.intent] : []));
const outcomes = (effects: readonly Effect[]) =>
  effects.flatMap((e) =>
    'declaration' in e
      ? [
          `${e.type}:${e.declaration.outcome.status}:${e.declaration.outcome.why ?? e.declaration.outcome.by ?? ''}`,
        ]
      : [],
  );
const desired = (d: Driver) => d.snapshot.context.desired;

describe('a declared desired state', () => {
  test('waits for validFrom (a deadline then), applies it on time when safe, and confirms it', () => {
    const d = ready();
    expect(d.send(declare())).toEqual([]);
    expect(desired(d)?.outcome).toMatchObject({ status: 'pending', why: 'waiting for validFrom' });
    expect(d.lastDeadline).toBe(FROM);
    expect(intents(d.send(tick(FROM - 1)))).toEqual([]);
    const effects = d.send(tick(FROM));
    expect(intents(effects)).toEqual([
      {
        kind: 'set-presence',
        target: { presence: 'ON_QUEUE', definitionId: null },
        id: `${AGENT}:declared:${T0}:c1`,
        agentId: AGENT,
        ruleId: 'state-not-sticking',
        findingId: `${AGENT}:declared:${T0}`,
        attempt: 1,
        reason: 'declared ON_QUEUE by external-wfm: Tuesday ready push',
        notBefore: FROM,
        priority: 'declared',
        declarationId: `${AGENT}:declared:${T0}`,
      },
    ]);
    expect(desired(d)?.outcome).toMatchObject({ status: 'pending', why: 'correction intended (attempt 1)' });
    expect(outcomes(d.send(presenceFrom('ON_QUEUE', FROM + 800, 'PURECLOUD')))).toEqual([
      'declaration.applied:applied:',
    ]);
    expect(desired(d)?.outcome).toEqual({ status: 'applied', since: FROM + 800, why: null, by: null });
  });

  test('an agent on a call is deferred with why, and the intent comes when the call ends', () => {
    const d = ready();
    d.send(interactions(1, 0, FROM - 4_000), routing('INTERACTING', FROM - 4_000), declare());
    const at = d.send(tick(FROM));
    expect(intents(at)).toEqual([]);
    expect(outcomes(at)).toEqual(['declaration.deferred:deferred:on an interaction since 22:23:16Z']);
    expect(desired(d)?.outcome.since).toBe(FROM - 4_000);
    // After-call work still defers; the end of it plans the intent.
    expect(intents(d.send(interactions(0, 1, FROM + 30_000), routing('OFF_QUEUE', FROM + 30_000)))).toEqual(
      [],
    );
    const done = d.send(interactions(0, 0, FROM + 40_000));
    expect(intents(done).map((i) => [i.attempt, i.notBefore])).toEqual([[1, FROM + 40_000]]);
  });

  test('On Queue with no station associated is refused with the reason, and never planned', () => {
    const d = ready();
    d.send(station(null, T0 + 1), declare());
    const effects = d.send(tick(FROM), tick(FROM + 5 * MIN));
    expect(intents(effects)).toEqual([]);
    expect(outcomes(effects)).toEqual(['declaration.refused:refused:no station associated']);
    // A station associated later makes it safe.
    expect(intents(d.send(station('st-2', FROM + 6 * MIN)))).toHaveLength(1);
  });

  test('a station reported dead refuses it, even once the agent shows On Queue', () => {
    const d = ready();
    d.send(declare(), signal('stationHealth', 'dead', FROM - 1_000));
    expect(outcomes(d.send(tick(FROM)))).toEqual([
      'declaration.refused:refused:station st-1 reported dead since 22:23:19Z',
    ]);
    expect(intents(d.send(presenceFrom('ON_QUEUE', FROM + 1_000, 'PURECLOUD')))).toEqual([]);
    expect(desired(d)?.outcome.status).toBe('refused');
  });

  test('approved time off and a scheduled break defer it; overridesSchedule applies during the break', () => {
    const off = ready();
    off.send(
      signal(
        'timeOff',
        { active: false, pending: 0, intervals: [{ start: FROM - MIN, end: FROM + 5 * MIN }] },
        T0,
      ),
      declare(),
    );
    expect(outcomes(off.send(tick(FROM)))).toEqual([
      'declaration.deferred:deferred:on approved time off until 22:28:20Z',
    ]);
    expect(off.lastDeadline).toBe(FROM + 5 * MIN);
    expect(intents(off.send(tick(FROM + 5 * MIN)))).toHaveLength(1);

    const schedule = signal(
      'schedule',
      { category: 'Break', activityCodeId: '1', adherence: null },
      FROM - MIN,
    );
    const brk = ready();
    brk.send(schedule, declare());
    expect(outcomes(brk.send(tick(FROM)))).toEqual([
      'declaration.deferred:deferred:scheduled Break since 22:22:20Z',
    ]);
    const over = ready();
    over.send(schedule, declare({ overridesSchedule: true }));
    expect(intents(over.send(tick(FROM)))).toHaveLength(1);
  });

  test('reverted by another system: reported and re-applied; by a person on purpose: reverted-by, not re-applied', () => {
    const fight = ready();
    fight.send(declare(), tick(FROM), presenceFrom('ON_QUEUE', FROM + 500, 'PURECLOUD'));
    const reverted = fight.send(presenceFrom('AVAILABLE', FROM + 60_000, 'external-router'));
    expect(outcomes(reverted)).toEqual([
      'declaration.reverted:pending:re-applying after a revert (attempt 2)',
    ]);
    expect(intents(reverted).map((i) => [i.id, i.notBefore])).toEqual([
      [`${AGENT}:declared:${T0}:c2`, FROM + 60_000],
    ]);
    expect(desired(fight)?.reverts).toBe(1);

    // A client restoring the presence held before, seconds after the confirmation, is fighting too.
    const stale = ready();
    stale.send(declare(), tick(FROM), presenceFrom('ON_QUEUE', FROM + 500, 'PURECLOUD'));
    expect(intents(stale.send(presenceFrom('AVAILABLE', FROM + 3_000, 'PURECLOUD')))).toHaveLength(1);

    // The agent picks Break in Genesys Cloud: their choice.
    const own = ready();
    own.send(declare(), tick(FROM), presenceFrom('ON_QUEUE', FROM + 500, 'PURECLOUD'));
    const chosen = own.send(presenceFrom('BREAK', FROM + 3_000, 'PURECLOUD'));
    expect(intents(chosen)).toEqual([]);
    expect(outcomes(chosen)).toEqual(['declaration.reverted:reverted-by:changed to BREAK']);
    expect(desired(own)?.outcome.by).toBe('PURECLOUD');
    expect(intents(own.send(tick(FROM + 30 * MIN)))).toEqual([]);
    expect(own.lastDeadline).toBeNull();
  });

  test("lockstep's own change is no revert: planned again, nobody named", () => {
    const d = ready();
    d.send(declare(), tick(FROM), presenceFrom('ON_QUEUE', FROM + 500, 'PURECLOUD'));
    const own = d.send(
      signal('presence', { system: 'AVAILABLE', definitionId: null }, FROM + 60_000, 'correction'),
    );
    expect(outcomes(own)).toEqual([]);
    expect(intents(own).map((i) => i.attempt)).toEqual([2]);
    expect(desired(d)).toMatchObject({ reverts: 0, revertedBy: null });
  });

  test('a system that keeps reverting is re-applied until the flap guard, which names it', () => {
    const d = ready();
    d.send(declare(), tick(FROM));
    let t = FROM;
    for (let round = 0; round < 3; round++) {
      d.send(
        presenceFrom('ON_QUEUE', t + 500, 'PURECLOUD'),
        presenceFrom('AVAILABLE', t + 3_000, 'PURECLOUD'),
      );
      t += 60_000;
      d.send(tick(t));
    }
    expect(desired(d)?.reverts).toBe(3);
    expect(desired(d)?.outcome).toMatchObject({
      status: 'deferred',
      why: 'flap guard: 3 corrections of this agent within the window; last reverted by PURECLOUD',
    });
    expect(d.effects.filter((e) => e.type === 'correction.intended')).toHaveLength(3);
  });

  test('a newer declaration supersedes the current one; an older one or a replay changes nothing', () => {
    const d = ready();
    d.send(declare());
    const newer = declare({ at: T0 + 1_000, presence: 'BREAK', reason: 'training moved' });
    const effects = d.send(newer);
    expect(effects).toHaveLength(1);
    const superseded = (effects[0] as { declaration: DeclarationReport }).declaration;
    expect(superseded).toMatchObject({
      id: `${AGENT}:declared:${T0}`,
      outcome: { status: 'superseded', by: `${AGENT}:declared:${T0 + 1_000}` },
    });
    const context = d.snapshot.context;
    expect(d.send(declare(), newer)).toEqual([]);
    expect(d.snapshot.context).toBe(context);
    expect(desired(d)?.presence).toBe('BREAK');
  });

  test('expires at validUntil with no event, and plans nothing after', () => {
    const d = ready();
    d.send(interactions(1, 0, FROM - 1), declare(), tick(FROM));
    expect(d.lastDeadline).toBe(UNTIL);
    expect(outcomes(d.send(tick(UNTIL)))).toEqual(['declaration.expired:expired:']);
    expect(intents(d.send(interactions(0, 0, UNTIL + 1)))).toEqual([]);
    expect(d.lastDeadline).toBeNull();
  });

  test('an unconfirmed intent is retried after retryAfterMs, within the flap guard', () => {
    const d = ready();
    d.send(declare(), tick(FROM));
    expect(d.lastDeadline).toBe(FROM + 2 * MIN);
    const retry = d.send(tick(FROM + 2 * MIN));
    expect(intents(retry).map((i) => i.attempt)).toEqual([2]);
    d.send(tick(FROM + 4 * MIN));
    const guarded = d.send(tick(FROM + 6 * MIN));
    expect(intents(guarded)).toEqual([]);
    expect(outcomes(guarded)).toEqual([
      'declaration.deferred:deferred:flap guard: 3 corrections of this agent within the window',
    ]);
  });

  test('persists and restores; snapshots written before declarations existed still load', () => {
    const d = ready();
    d.send(declare(), tick(FROM));
    const saved = JSON.parse(JSON.stringify(persistAgent(d.snapshot))) as {
      context: Record<string, unknown>;
    };
    expect(restoreAgent(d.machine, saved).context.desired).toEqual(desired(d));
    delete saved.context.desired;
    expect(restoreAgent(d.machine, saved).context.desired).toBeNull();
  });
});

describe('DECLARE validation', () => {
  const base = { type: 'DECLARE', presence: 'ON_QUEUE', by: 'external-wfm', at: T0 };
  test('the plain shape stays valid; a desired state needs validFrom, a presence and a validity', () => {
    expect(parseAgentEvent({ ...base, ttlMs: 60_000 })).toMatchObject({ ttlMs: 60_000 });
    expect(parseAgentEvent({ ...base, validFrom: FROM, ttlMs: MIN })).toMatchObject({ validFrom: FROM });
    const problems = (input: unknown) => {
      try {
        parseAgentEvent(input);
        return [];
      } catch (err) {
        return (err as { problems: { path: string; message: string }[] }).problems.map(
          (p) => `${p.path}: ${p.message}`,
        );
      }
    };
    expect(problems(base)).toEqual(['ttlMs: ttlMs is required']);
    expect(problems({ ...base, reason: 'x', validUntil: UNTIL })).toEqual([
      'validFrom: a desired state needs validFrom',
    ]);
    expect(problems({ ...base, validFrom: FROM, validUntil: FROM })).toEqual([
      'validUntil: validUntil must be after validFrom',
    ]);
    expect(problems({ ...base, presence: undefined, routing: 'IDLE', validFrom: FROM, ttlMs: MIN })).toEqual([
      'presence: a desired state declares a presence',
      'routing: a desired state declares a presence only',
    ]);
  });
});
