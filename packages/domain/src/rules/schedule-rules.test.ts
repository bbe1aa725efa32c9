import { describe, expect, test } from 'vitest';
import type { AgentEvent } from '../events.js';
import type { ActivityCategory, AdherenceState } from '../presence.js';
import type { ScheduleSegment } from '../schedule-segments.js';
import type { PlannedScheduleValue } from '../signals.js';
import { nextDeadline, persistAgent, restoreAgent } from '../agent.js';
import { Driver, presence, routing, signal, station, summarize, T0, tick } from '../testing/fixtures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const seg = (start: number, end: number, category: ActivityCategory): ScheduleSegment => ({
  start,
  end,
  category,
  activityCodeId: category === 'OnQueueWork' ? '0' : '1',
  timeOffRequestId: null,
});
const planned = (segments: ScheduleSegment[], at: number, change: Partial<PlannedScheduleValue> = {}) =>
  signal(
    'plannedSchedule',
    { segments, changedAt: change.changedAt ?? null, change: change.change ?? null },
    at,
    'resync',
  );
const adherence = (category: ActivityCategory, state: AdherenceState, at: number): AgentEvent =>
  signal('schedule', { category, activityCodeId: '0', adherence: state }, at);

// A shift that starts one hour after T0: on-queue work, a break, on-queue work.
const SHIFT = T0 + HOUR;
const SEGMENTS = [
  seg(SHIFT, SHIFT + 2 * HOUR, 'OnQueueWork'),
  seg(SHIFT + 2 * HOUR, SHIFT + 2 * HOUR + 15 * MIN, 'Break'),
  seg(SHIFT + 2 * HOUR + 15 * MIN, SHIFT + 8 * HOUR, 'OnQueueWork'),
];

describe('the published schedule', () => {
  test('sets a deadline at the next boundary, and the boundary fires a rule with no event arriving', () => {
    const d = new Driver();
    d.send(planned(SEGMENTS, T0), presence('AVAILABLE', T0), routing('OFF_QUEUE', T0));
    // Nothing scheduled yet: the only deadline is the shift start.
    expect(d.lastDeadline).toBe(SHIFT);
    d.send(tick(SHIFT));
    // out-of-adherence-on-queue is pending from the shift start (5 min grace).
    expect(d.lastDeadline).toBe(SHIFT + 5 * MIN);
    expect(summarize(d.send(tick(SHIFT + 5 * MIN)))).toEqual(['finding.opened:out-of-adherence-on-queue']);
    expect(d.snapshot.context.findings['out-of-adherence-on-queue']?.since).toBe(SHIFT);
  });

  test('on-queue-during-scheduled-off reads the break from the segments', () => {
    const d = new Driver();
    d.send(planned(SEGMENTS, T0), presence('ON_QUEUE', SHIFT), routing('IDLE', SHIFT), tick(SHIFT));
    expect(d.open).toEqual([]);
    const breakStart = SHIFT + 2 * HOUR;
    d.send(tick(breakStart + 2 * MIN - 1));
    expect(d.open).toEqual([]);
    expect(summarize(d.send(tick(breakStart + 2 * MIN)))).toEqual([
      'finding.opened:on-queue-during-scheduled-off',
    ]);
    // The break ends at its boundary: the finding resolves with no event.
    expect(summarize(d.send(tick(breakStart + 15 * MIN)))).toEqual([
      'finding.resolved:on-queue-during-scheduled-off',
    ]);
  });

  test('a schedule loaded in the middle of a shift stamps the activity from its start', () => {
    const d = new Driver();
    d.send(presence('AVAILABLE', SHIFT + 10 * MIN), planned(SEGMENTS, SHIFT + 30 * MIN));
    d.send(tick(SHIFT + 30 * MIN));
    expect(d.open).toEqual(['out-of-adherence-on-queue']);
    expect(d.snapshot.context.findings['out-of-adherence-on-queue']?.since).toBe(SHIFT + 10 * MIN);
  });

  test('without a loaded schedule the adherence signal still drives the WFM rules', () => {
    const d = new Driver();
    d.send(adherence('OnQueueWork', 'OutOfAdherence', T0), presence('AVAILABLE', T0), tick(T0 + 5 * MIN));
    expect(d.open).toEqual(['out-of-adherence-on-queue']);
  });
});

describe('WFM facts on every schedule-based finding', () => {
  test('out-of-adherence and on-queue-during-scheduled-off carry the schedule change, pending time off and shift start', () => {
    const pendingSat = {
      active: false,
      pending: 1,
      intervals: [],
      pendingIntervals: [{ start: T0 + 24 * HOUR, end: T0 + 32 * HOUR, text: 'Sat 08:00–16:00 CST' }],
    };
    const facts = (names: readonly string[]) => (e: { name: string }) => names.includes(e.name);
    const wfm = ['scheduleChange24h', 'timeOff', 'shiftStart'];

    const late = new Driver();
    late.send(
      planned(SEGMENTS, T0, { changedAt: T0 - 2 * HOUR, change: 'swap' }),
      signal('timeOff', pendingSat, T0, 'resync'),
      presence('AVAILABLE', T0),
      routing('OFF_QUEUE', T0),
    );
    late.send(tick(SHIFT), tick(SHIFT + 5 * MIN));
    const adherenceFinding = late.snapshot.context.findings['out-of-adherence-on-queue'];
    expect(adherenceFinding?.evidence.filter(facts(wfm))).toEqual([
      { name: 'scheduleChange24h', value: 'swap', at: T0 - 2 * HOUR },
      { name: 'timeOff', value: 'pending Sat 08:00–16:00 CST', at: T0 + 24 * HOUR },
      { name: 'shiftStart', value: 'scheduled', at: SHIFT },
    ]);
    expect(adherenceFinding?.summary).toBe(
      'Scheduled for on-queue work but presence is AVAILABLE. ' +
        'schedule changed 3 h earlier (swap); time off pending Sat 08:00–16:00 CST.',
    );

    const onBreak = new Driver();
    onBreak.send(
      planned(SEGMENTS, T0, { changedAt: T0 - 2 * HOUR, change: 'edit' }),
      presence('ON_QUEUE', SHIFT),
      routing('IDLE', SHIFT),
      tick(SHIFT),
    );
    onBreak.send(tick(SHIFT + 2 * HOUR + 2 * MIN));
    expect(
      onBreak.snapshot.context.findings['on-queue-during-scheduled-off']?.evidence.filter(facts(wfm)),
    ).toEqual([
      { name: 'scheduleChange24h', value: 'edit', at: T0 - 2 * HOUR },
      { name: 'shiftStart', value: 'scheduled', at: SHIFT },
    ]);
  });
});

describe('station-not-up-at-shift-start', () => {
  const loggedInNoStation = (at: number) => [presence('AVAILABLE', at), station(null, at)];

  test('fires after its grace from the shift start when the agent is logged in with no station', () => {
    const d = new Driver({ rules: { 'out-of-adherence-on-queue': { enabled: false } } });
    d.send(planned(SEGMENTS, T0, { changedAt: T0 - 3 * HOUR, change: 'swap' }), ...loggedInNoStation(T0));
    d.send(
      signal(
        'timeOff',
        {
          active: false,
          pending: 1,
          intervals: [],
          pendingIntervals: [{ start: T0 + 24 * HOUR, end: T0 + 32 * HOUR, text: 'Sat 08:00–16:00 CST' }],
        },
        T0,
        'resync',
      ),
    );
    d.send(tick(SHIFT));
    expect(d.open).toEqual([]);
    expect(d.lastDeadline).toBe(SHIFT + 90_000);
    expect(summarize(d.send(tick(SHIFT + 90_000)))).toEqual(['finding.opened:station-not-up-at-shift-start']);
    const finding = d.snapshot.context.findings['station-not-up-at-shift-start'];
    expect(
      finding?.evidence.filter((e) => ['scheduleChange24h', 'timeOff', 'shiftStart'].includes(e.name)),
    ).toEqual([
      { name: 'scheduleChange24h', value: 'swap', at: T0 - 3 * HOUR },
      { name: 'timeOff', value: 'pending Sat 08:00–16:00 CST', at: T0 + 24 * HOUR },
      { name: 'shiftStart', value: 'scheduled', at: SHIFT },
    ]);
    expect(finding?.summary).toContain(
      'schedule changed 4 h earlier (swap); time off pending Sat 08:00–16:00 CST',
    );
  });

  test('a healthy station, an offline agent or an off-queue activity does not fire', () => {
    const cases: AgentEvent[][] = [
      [presence('AVAILABLE', T0), station('st-1', T0)],
      [presence('OFFLINE', T0), station(null, T0)],
      [presence('AVAILABLE', T0)],
    ];
    for (const events of cases) {
      const d = new Driver({ rules: { 'out-of-adherence-on-queue': { enabled: false } } });
      d.send(planned(SEGMENTS, T0), ...events, tick(SHIFT + HOUR));
      expect(d.open).toEqual([]);
    }
    const onBreak = new Driver();
    onBreak.send(planned([seg(SHIFT, SHIFT + HOUR, 'Meeting')], T0), ...loggedInNoStation(T0));
    onBreak.send(tick(SHIFT + 30 * MIN));
    expect(onBreak.open).toEqual([]);
  });

  test('a station associated within the grace keeps it quiet, and a late association resolves it', () => {
    const d = new Driver({ rules: { 'out-of-adherence-on-queue': { enabled: false } } });
    d.send(planned(SEGMENTS, T0), ...loggedInNoStation(SHIFT + MIN), tick(SHIFT + 2 * MIN));
    d.send(station('st-1', SHIFT + 2 * MIN), tick(SHIFT + 10 * MIN));
    expect(d.effects).toEqual([]);
    const late = new Driver({ rules: { 'out-of-adherence-on-queue': { enabled: false } } });
    late.send(planned(SEGMENTS, T0), ...loggedInNoStation(T0), tick(SHIFT + 2 * MIN));
    expect(late.open).toEqual(['station-not-up-at-shift-start']);
    expect(summarize(late.send(station('st-1', SHIFT + 3 * MIN)))).toEqual([
      'finding.resolved:station-not-up-at-shift-start',
    ]);
  });
});

describe('on-queue-during-approved-time-off', () => {
  test('fires while approved time off covers now and stops at its end', () => {
    const d = new Driver();
    const off = { start: T0 + HOUR, end: T0 + 2 * HOUR };
    d.send(
      signal('timeOff', { active: false, pending: 0, intervals: [off] }, T0, 'resync'),
      presence('ON_QUEUE', T0),
      routing('IDLE', T0),
    );
    expect(d.lastDeadline).toBe(off.start);
    d.send(tick(off.start + 2 * MIN - 1));
    expect(d.open).toEqual([]);
    expect(summarize(d.send(tick(off.start + 2 * MIN)))).toEqual([
      'finding.opened:on-queue-during-approved-time-off',
    ]);
    expect(summarize(d.send(tick(off.end)))).toEqual(['finding.resolved:on-queue-during-approved-time-off']);
  });

  test('pending time off alone does not fire', () => {
    const d = new Driver();
    d.send(
      signal(
        'timeOff',
        {
          active: false,
          pending: 1,
          intervals: [],
          pendingIntervals: [{ start: T0, end: T0 + HOUR, text: 'x' }],
        },
        T0,
        'resync',
      ),
      presence('ON_QUEUE', T0),
      tick(T0 + 30 * MIN),
    );
    expect(d.open).toEqual([]);
  });
});

describe('adherence-disagrees', () => {
  test("fires when Genesys says in adherence and lockstep's own evaluation says out, beyond the grace", () => {
    const d = new Driver({ rules: { 'out-of-adherence-on-queue': { enabled: false } } });
    d.send(
      planned(SEGMENTS, T0),
      presence('AVAILABLE', SHIFT),
      adherence('OnQueueWork', 'InAdherence', SHIFT + 10_000),
      tick(SHIFT + 10_000 + 3 * MIN - 1),
    );
    expect(d.open).toEqual([]);
    expect(summarize(d.send(tick(SHIFT + 10_000 + 3 * MIN)))).toEqual(['finding.opened:adherence-disagrees']);
  });

  test('agreement, a short disagreement inside the grace, and no adherence feed open nothing', () => {
    const agree = new Driver();
    agree.send(
      planned(SEGMENTS, T0),
      presence('ON_QUEUE', SHIFT),
      routing('IDLE', SHIFT),
      adherence('OnQueueWork', 'InAdherence', SHIFT + 5_000),
      tick(SHIFT + HOUR),
    );
    expect(agree.effects).toEqual([]);
    const brief = new Driver();
    brief.send(
      planned(SEGMENTS, T0),
      presence('ON_QUEUE', SHIFT),
      routing('IDLE', SHIFT),
      adherence('OnQueueWork', 'InAdherence', SHIFT),
      tick(SHIFT + 2 * HOUR),
      // Genesys still says OnQueueWork after the break began: out of step for 20 s only.
      adherence('Break', 'OutOfAdherence', SHIFT + 2 * HOUR + 20_000),
      tick(SHIFT + 2 * HOUR + MIN),
    );
    expect(brief.open).toEqual([]);
    const alone = new Driver({ rules: { 'out-of-adherence-on-queue': { enabled: false } } });
    alone.send(planned(SEGMENTS, T0), presence('AVAILABLE', SHIFT), tick(SHIFT + HOUR));
    expect(alone.open).toEqual([]);
  });

  test('Genesys naming another scheduled activity than the published schedule is a disagreement', () => {
    const d = new Driver({ rules: { 'on-queue-during-scheduled-off': { enabled: false } } });
    d.send(
      planned(SEGMENTS, T0),
      presence('ON_QUEUE', SHIFT),
      routing('IDLE', SHIFT),
      adherence('Break', 'OutOfAdherence', SHIFT + MIN),
      tick(SHIFT + 4 * MIN),
    );
    expect(d.open).toEqual(['adherence-disagrees']);
  });
});

describe('persisted snapshots', () => {
  test('a snapshot with a published schedule and pending time off survives persist and restore, and keeps its deadline', () => {
    const d = new Driver();
    d.send(
      planned(SEGMENTS, T0, { changedAt: T0 - HOUR, change: 'publish' }),
      signal(
        'timeOff',
        {
          active: false,
          pending: 1,
          intervals: [],
          pendingIntervals: [{ start: T0 + HOUR, end: T0 + 2 * HOUR, text: 't' }],
        },
        T0,
        'resync',
      ),
    );
    const text = JSON.stringify(persistAgent(d.snapshot));
    const restored = restoreAgent(d.machine, JSON.parse(text));
    expect(restored.context.signals).toEqual(d.snapshot.context.signals);
    expect(nextDeadline(restored)).toBe(SHIFT);
  });

  test('a snapshot written before the published schedule existed still loads', () => {
    const d = new Driver();
    d.send(presence('AVAILABLE', T0), signal('timeOff', { active: false, pending: 0, intervals: [] }, T0));
    const old = persistAgent(d.snapshot);
    expect(old.context.signals.plannedSchedule).toBeUndefined();
    expect(
      restoreAgent(d.machine, JSON.parse(JSON.stringify(old))).context.signals.presence?.value.system,
    ).toBe('AVAILABLE');
  });
});
