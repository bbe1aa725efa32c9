import { describe, expect, test } from 'vitest';
import type { AgentEvent } from '../events.js';
import type { ActivityCategory, AdherenceState } from '../presence.js';
import { Driver, interactions, presence, routing, signal, summarize, T0, tick } from '../testing/fixtures.js';

const MIN = 60_000;
const schedule = (
  category: ActivityCategory,
  at: number,
  adherence: AdherenceState | null = null,
): AgentEvent => signal('schedule', { category, activityCodeId: '0', adherence }, at);

describe('out-of-adherence-on-queue', () => {
  test('scheduled on-queue work while Available fires at exactly 5 minutes', () => {
    const d = new Driver();
    d.send(schedule('OnQueueWork', T0), presence('AVAILABLE', T0 + 1_000), routing('OFF_QUEUE', T0));
    expect(d.send(tick(T0 + 1_000 + 5 * MIN - 1))).toEqual([]);
    expect(summarize(d.send(tick(T0 + 1_000 + 5 * MIN)))).toEqual([
      'finding.opened:out-of-adherence-on-queue',
    ]);
  });

  test('offline agents, explained exceptions, time off and out-of-office are legitimate', () => {
    const cases: AgentEvent[][] = [
      [schedule('OnQueueWork', T0), presence('OFFLINE', T0)],
      [schedule('OnQueueWork', T0, 'Explained'), presence('AVAILABLE', T0)],
      [
        schedule('OnQueueWork', T0),
        presence('AWAY', T0),
        signal('timeOff', { active: true, pending: 0 }, T0),
      ],
      [schedule('OnQueueWork', T0), presence('MEETING', T0), signal('outOfOffice', true, T0)],
      [schedule('OnQueueWork', T0), presence('BREAK', T0), routing('INTERACTING', T0)],
    ];
    for (const events of cases) {
      const d = new Driver();
      d.send(...events, tick(T0 + 60 * MIN));
      expect(d.effects).toEqual([]);
    }
  });

  test('never fires while WFM is disabled, and an open finding resolves when it gets disabled', () => {
    const d = new Driver();
    d.send({ type: 'WFM_DISABLED', at: T0 }, schedule('OnQueueWork', T0), presence('AVAILABLE', T0));
    d.send(tick(T0 + 60 * MIN));
    expect(d.effects).toEqual([]);
    d.send({ type: 'WFM_ENABLED', at: T0 + 60 * MIN });
    expect(d.open).toEqual(['out-of-adherence-on-queue']);
    expect(summarize(d.send({ type: 'WFM_DISABLED', at: T0 + 61 * MIN }))).toEqual([
      'finding.resolved:out-of-adherence-on-queue',
    ]);
  });
});

describe('on-queue-during-scheduled-off', () => {
  test('a call overrunning into the break is legitimate; the grace counts from its end', () => {
    const d = new Driver();
    d.send(
      schedule('Break', T0),
      presence('ON_QUEUE', T0),
      routing('INTERACTING', T0),
      interactions(1, 0, T0),
    );
    d.send(tick(T0 + 30 * MIN));
    expect(d.effects).toEqual([]);
    d.send(routing('IDLE', T0 + 30 * MIN), interactions(0, 0, T0 + 30 * MIN));
    expect(d.send(tick(T0 + 32 * MIN - 1))).toEqual([]);
    expect(summarize(d.send(tick(T0 + 32 * MIN)))).toEqual(['finding.opened:on-queue-during-scheduled-off']);
  });

  test('after-call work still counts as busy', () => {
    const d = new Driver();
    d.send(schedule('Meal', T0), presence('ON_QUEUE', T0), routing('IDLE', T0), interactions(0, 1, T0));
    d.send(tick(T0 + 30 * MIN));
    expect(d.effects).toEqual([]);
  });

  test('a correction, when enabled, sets the presence matching the activity', () => {
    const d = new Driver({ rules: { 'on-queue-during-scheduled-off': { action: 'correct' } } });
    d.send(schedule('Meal', T0), presence('ON_QUEUE', T0), routing('IDLE', T0), tick(T0 + 2 * MIN));
    expect(d.effects.at(-1)).toMatchObject({
      type: 'correction.intended',
      intent: { kind: 'set-presence', target: { presence: 'MEAL', definitionId: null } },
    });
  });

  test('on-queue scheduled work does not match', () => {
    const d = new Driver();
    d.send(schedule('OnQueueWork', T0), presence('ON_QUEUE', T0), routing('IDLE', T0), tick(T0 + 60 * MIN));
    expect(d.effects).toEqual([]);
  });
});
