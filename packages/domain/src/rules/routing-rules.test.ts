import { describe, expect, test } from 'vitest';
import {
  Driver,
  interactions,
  presence,
  routing,
  signal,
  station,
  summarize,
  T0,
  tick,
} from '../testing/fixtures.js';

describe('on-queue-not-routable', () => {
  test('fires at exactly the grace (15 s), not 1 ms before, counted from the latest fact', () => {
    const d = new Driver({ rules: { 'on-queue-not-routable': { action: 'alert' } } });
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0 + 1_000));
    expect(d.snapshot.context.health).toBe('suspect');
    expect(d.lastDeadline).toBe(T0 + 16_000);
    expect(d.send(tick(T0 + 15_999))).toEqual([]);
    const effects = d.send(tick(T0 + 16_000));
    expect(summarize(effects)).toEqual(['finding.opened:on-queue-not-routable']);
    const opened = effects[0];
    if (opened?.type !== 'finding.opened') throw new Error('expected an opened finding');
    expect(opened.finding).toMatchObject({
      id: `agent-1:on-queue-not-routable:${T0 + 16_000}`,
      since: T0 + 1_000,
      severity: 'warning',
      correction: 'none',
    });
    expect(opened.finding.evidence.map((e) => e.name)).toEqual(['presence', 'routing']);
    expect(d.snapshot.value).toEqual({ status: { onQueue: 'notRoutable' }, health: 'desynced' });
  });

  test('routing turning IDLE within the grace is the normal login sequence', () => {
    const d = new Driver();
    d.send(
      presence('ON_QUEUE', T0),
      routing('OFF_QUEUE', T0),
      routing('IDLE', T0 + 3_000),
      tick(T0 + 60_000),
    );
    expect(d.effects).toEqual([]);
    expect(d.snapshot.value).toEqual({ status: { onQueue: 'idle' }, health: 'inSync' });
    expect(d.lastDeadline).toBeNull();
  });

  test('disabled rules never fire', () => {
    const d = new Driver({ rules: { 'on-queue-not-routable': { enabled: false } } });
    d.send(presence('ON_QUEUE', T0), routing('OFF_QUEUE', T0), tick(T0 + 3_600_000));
    expect(d.effects).toEqual([]);
  });
});

describe('stuck-not-responding', () => {
  test('fires at exactly 30 s and plans routing IDLE', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('NOT_RESPONDING', T0 + 2_000));
    expect(d.send(tick(T0 + 31_999))).toEqual([]);
    const effects = d.send(tick(T0 + 32_000));
    expect(summarize(effects)).toEqual([
      'finding.opened:stuck-not-responding',
      'correction.intended:stuck-not-responding',
    ]);
    expect(effects[1]).toMatchObject({
      intent: { kind: 'set-routing-status', target: { status: 'IDLE' }, notBefore: T0 + 32_000, attempt: 1 },
    });
  });

  test('an agent who recovers within the grace is left alone', () => {
    const d = new Driver();
    d.send(
      presence('ON_QUEUE', T0),
      routing('NOT_RESPONDING', T0),
      routing('IDLE', T0 + 29_999),
      tick(T0 + 99_000),
    );
    expect(d.effects).toEqual([]);
  });

  test('with an off-queue presence the case belongs to routable-while-offline', () => {
    const d = new Driver();
    d.send(presence('BREAK', T0), routing('NOT_RESPONDING', T0), tick(T0 + 60_000));
    expect(d.open).toEqual(['routable-while-offline']);
  });
});

describe('routable-while-offline', () => {
  test('presence OFFLINE with routing IDLE is a ghost session: fires at 30 s, plans OFF_QUEUE', () => {
    const d = new Driver();
    d.send(presence('OFFLINE', T0), routing('IDLE', T0));
    expect(d.send(tick(T0 + 29_999))).toEqual([]);
    const effects = d.send(tick(T0 + 30_000));
    expect(summarize(effects)).toEqual([
      'finding.opened:routable-while-offline',
      'correction.intended:routable-while-offline',
    ]);
    expect(effects[1]).toMatchObject({ intent: { target: { status: 'OFF_QUEUE' } } });
    expect(d.snapshot.value).toEqual({ status: 'offline', health: 'desynced' });
  });

  test('presence BREAK while INTERACTING is legitimate (next status picked during a call)', () => {
    const d = new Driver();
    d.send(presence('BREAK', T0), routing('INTERACTING', T0), interactions(1, 0, T0), tick(T0 + 3_600_000));
    expect(d.effects).toEqual([]);
  });

  test('only the configured presences count', () => {
    const d = new Driver({ rules: { 'routable-while-offline': { presences: ['OFFLINE'] } } });
    d.send(presence('AWAY', T0), routing('IDLE', T0), tick(T0 + 3_600_000));
    expect(d.open).toEqual([]);
  });
});

describe('on-queue-without-station', () => {
  test('fires at exactly 20 s with no associated station', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), station(null, T0 + 500));
    expect(d.send(tick(T0 + 20_499))).toEqual([]);
    expect(summarize(d.send(tick(T0 + 20_500)))).toEqual(['finding.opened:on-queue-without-station']);
    expect(d.snapshot.context.findings['on-queue-without-station']?.correction).toBe('none');
  });

  test('a station associated within the grace (login order) does not fire; unknown never fires', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), routing('IDLE', T0), station(null, T0), station('st-1', T0 + 5_000));
    d.send(tick(T0 + 600_000));
    expect(d.effects).toEqual([]);
    const unknown = new Driver();
    unknown.send(presence('ON_QUEUE', T0), routing('IDLE', T0), tick(T0 + 600_000));
    expect(unknown.effects).toEqual([]);
  });

  test('a station reported dead counts as no station', () => {
    const d = new Driver();
    d.send(presence('ON_QUEUE', T0), station('st-1', T0), signal('stationHealth', 'dead', T0 + 1_000));
    d.send(tick(T0 + 21_000));
    expect(d.open).toEqual(['on-queue-without-station']);
    const finding = d.snapshot.context.findings['on-queue-without-station'];
    expect(finding?.evidence.at(-1)).toEqual({
      name: 'stationHealth',
      value: 'dead (reported)',
      at: T0 + 1_000,
    });
    d.send(signal('stationHealth', 'ok', T0 + 30_000));
    expect(d.open).toEqual([]);
  });
});
