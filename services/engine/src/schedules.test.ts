import type { ScheduleSegment, SignalUpdate } from '@lockstep/domain';
import { createManualClock } from '@lockstep/genesys';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import type { LoadedSchedule, ScheduleLoader } from './schedule-loader.js';
import { createScheduleService } from './schedules.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-27T11:55:00Z');
const shift = (start: number): ScheduleSegment[] => [
  { start, end: start + 8 * HOUR, category: 'OnQueueWork', activityCodeId: '0', timeOffRequestId: null },
];
const EARLY = shift(Date.parse('2026-11-27T12:00:00Z'));
const LATE = shift(Date.parse('2026-11-27T15:00:00Z'));

/** A loader answering from an in-memory published schedule the test edits (the REST side is tested against the simulator). */
function world(initial: Record<string, ScheduleSegment[]>) {
  const published = new Map(Object.entries(initial));
  const loader: ScheduleLoader = {
    async load(ids) {
      const schedules = new Map<string, LoadedSchedule>();
      for (const id of ids)
        schedules.set(id, {
          managementUnitId: 'mu',
          businessUnitId: 'bu',
          zone: 'UTC',
          segments: published.get(id) ?? [],
        });
      return { schedules, unscheduled: [], requests: ids.length };
    },
    forget() {},
  };
  return { published, loader };
}

function setup(initial: Record<string, ScheduleSegment[]>) {
  const clock = createManualClock(T0);
  const { published, loader } = world(initial);
  const latest = new Map<string, Extract<SignalUpdate, { signal: 'plannedSchedule' }>['value']>();
  const units: string[][] = [];
  const service = createScheduleService({
    loader,
    cache: null,
    submit: (id, update) => {
      if (update.signal === 'plannedSchedule') latest.set(id, update.value);
    },
    wfm: { enabled: () => true, forbidden: () => {} },
    tracked: () => true,
    clock,
    logger: pino({ level: 'silent' }),
    onManagementUnits: (ids) => units.push([...ids]),
  });
  return { clock, published, service, latest, units };
}

describe('how a schedule changed', () => {
  test('two agents exchanging shifts are a swap; a later publish that changes nothing keeps it', async () => {
    const { clock, published, service, latest, units } = setup({ a: EARLY, b: LATE, c: LATE });
    await service.track(['a', 'b', 'c']);
    await service.idle();
    // The agents' management unit is reported once, for its adherence and schedule-change topics.
    expect(units).toEqual([['mu']]);
    expect(latest.get('a')).toEqual({ segments: EARLY, changedAt: null, change: null });
    published.set('a', LATE);
    published.set('b', EARLY);
    service.changed(['a'], 'user', T0 + 1_000);
    service.changed(['b'], 'user', T0 + 1_000);
    service.changed(['a', 'b'], 'managementUnit', T0 + 1_000);
    await clock.advanceAsync(2_000);
    await service.idle();
    expect(latest.get('a')).toMatchObject({ segments: LATE, changedAt: T0 + 1_000, change: 'swap' });
    expect(latest.get('b')).toMatchObject({ segments: EARLY, changedAt: T0 + 1_000, change: 'swap' });
    service.changed(['a', 'b', 'c'], 'managementUnit', T0 + 10_000);
    await clock.advanceAsync(2_000);
    await service.idle();
    expect(latest.get('a')).toMatchObject({ changedAt: T0 + 1_000, change: 'swap' });
    // c's schedule never changed before: the publish notice is its first known change.
    expect(latest.get('c')).toMatchObject({ changedAt: T0 + 10_000, change: 'publish' });
  });

  test("one agent's edited shift is an edit; a periodic reload without a notice records no change", async () => {
    const { clock, published, service, latest } = setup({ a: EARLY });
    service.start();
    await service.track(['a']);
    await service.idle();
    published.set('a', shift(Date.parse('2026-11-27T13:00:00Z')));
    await clock.advanceAsync(15 * 60_000);
    await service.idle();
    expect(latest.get('a')).toMatchObject({ changedAt: null, change: null });
    expect(latest.get('a')?.segments[0]?.start).toBe(Date.parse('2026-11-27T13:00:00Z'));
    published.set('a', EARLY);
    service.changed(['a'], 'user', clock.now());
    await clock.advanceAsync(2_000);
    await service.idle();
    expect(latest.get('a')).toMatchObject({ segments: EARLY, change: 'edit' });
    await service.close();
  });
});
