import { describe, expect, it } from 'vitest';
import { createWorld } from '../world/create-world.js';
import { ScenarioError } from './errors.js';
import { expandAgents } from './expand-agents.js';
import { loadScenario, parseScenario, shippedScenarioNames } from './load.js';

const minimal = { name: 'x', start: { local: '2024-03-05T09:00', zone: 'America/Chicago' } };

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ScenarioError');
}

describe('loadScenario', () => {
  it('ships the four required scenarios', () => {
    expect(shippedScenarioNames()).toEqual(
      expect.arrayContaining([
        'calm-day',
        'tuesday-0900-ready-push',
        'friday-schedule-publish',
        'firehose-10k',
      ]),
    );
  });

  it.each(shippedScenarioNames())('loads and builds the shipped scenario %s', (name) => {
    const scenario = loadScenario(name);
    expect(scenario.name).toBe(name);
    expect(scenario.oauthClients[0]).toMatchObject({
      clientId: 'lockstep-demo',
      clientSecret: 'lockstep-demo-secret',
    });
    const world = createWorld({ scenario, clock: 'virtual', anchorMs: 0 });
    expect(world.groundTruth().length).toBe(expandAgents(scenario).length);
  });

  it('has the sizes the stories need', () => {
    expect(expandAgents(loadScenario('tuesday-0900-ready-push'))).toHaveLength(30);
    expect(expandAgents(loadScenario('firehose-10k'))).toHaveLength(10_000);
    expect(loadScenario('firehose-10k').queues).toHaveLength(50);
  });

  it('lists the shipped names for an unknown name', () => {
    expect(() => loadScenario('no-such-day')).toThrow(/shipped scenarios: .*calm-day/);
    try {
      loadScenario('no-such-day');
    } catch (err) {
      expect((err as ScenarioError).code).toBe('SCENARIO_NOT_FOUND');
    }
  });

  it('reports a missing file path as not found', () => {
    expect(() => loadScenario('./nowhere/missing.json')).toThrow(ScenarioError);
  });
});

describe('parseScenario', () => {
  it('applies defaults, including the demo OAuth client', () => {
    const s = parseScenario(minimal);
    expect(s.seed).toBe(1);
    expect(s.speed).toBe(1);
    expect(s.platform).toMatchObject({
      onQueueWithoutStation: 'idle',
      alertingTimeoutSec: 8,
      routingPutRequiresOnQueue: false,
    });
    expect(s.platform.routingPutAccepts).toEqual(['IDLE', 'OFF_QUEUE']);
    expect(s.oauthClients).toEqual([
      expect.objectContaining({ clientId: 'lockstep-demo', tokenLifetimeSec: 86400 }),
    ]);
  });

  it('lists several structural problems at once', () => {
    const issues = issuesOf(() =>
      parseScenario({
        name: '',
        start: { local: '9am', zone: 'Mars/Olympus' },
        speed: -1,
        platform: { onQueueWithoutStation: 'maybe' },
        agents: [{ id: 'a', name: 'A', presnce: 'On Queue' }],
      }),
    );
    expect(issues.length).toBeGreaterThanOrEqual(5);
    expect(issues.some((i) => i.startsWith('name'))).toBe(true);
    expect(issues.some((i) => i.startsWith('start.local'))).toBe(true);
    expect(issues.some((i) => i.startsWith('start.zone') && i.includes('IANA'))).toBe(true);
    expect(issues.some((i) => i.startsWith('speed'))).toBe(true);
    expect(issues.some((i) => i.startsWith('platform.onQueueWithoutStation'))).toBe(true);
    expect(issues.some((i) => i.startsWith('agents.0') && i.includes('presnce'))).toBe(true);
  });

  it('lists every broken cross reference at once', () => {
    const issues = issuesOf(() =>
      parseScenario({
        ...minimal,
        queues: [{ id: 'q', name: 'Q' }],
        agents: [
          { id: 'a', name: 'A', queues: ['q', 'nope'], managementUnitId: 'mu-x' },
          { id: 'a', name: 'A again' },
        ],
        timeline: [
          { at: 'soon', action: { type: 'end-call', agentId: 'ghost' } },
          { at: '+5', action: { type: 'offer-call', queueId: 'q9' } },
        ],
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringContaining('duplicate agent id "a"'),
        expect.stringContaining('unknown queue "nope"'),
        expect.stringContaining('unknown management unit "mu-x"'),
        expect.stringMatching(/^timeline\.0\.at/),
        expect.stringContaining('unknown agent "ghost"'),
        expect.stringContaining('unknown queue "q9"'),
      ]),
    );
  });

  it('refuses impossible calendar dates and clock times at validation', () => {
    const issues = issuesOf(() =>
      parseScenario({
        name: 'x',
        start: { local: '2024-02-30T09:00', zone: 'America/Chicago' },
        businessUnits: [{ id: 'bu', name: 'BU' }],
        managementUnits: [{ id: 'mu', name: 'MU', businessUnitId: 'bu', timeZone: 'America/Chicago' }],
        scheduleTemplates: {
          t: {
            shifts: [
              {
                dates: ['2023-02-29'],
                activities: [{ start: '24:30', lengthMinutes: 60, activityCodeId: '0' }],
              },
            ],
          },
        },
        agents: [{ id: 'a', name: 'A', managementUnitId: 'mu' }],
        schedules: [
          {
            agentId: 'a',
            shifts: [{ activities: [{ start: '2024-04-31T06:00', lengthMinutes: 60, activityCodeId: '0' }] }],
          },
        ],
        timeOffRequests: [{ agentId: 'a', status: 'PENDING', fullDayDates: ['2024-13-01'] }],
        timeline: [
          { at: '2024-02-30T09:05', action: { type: 'end-call', agentId: 'a' } },
          { at: '09:61', action: { type: 'end-call', agentId: 'a' } },
          { at: '+5', action: { type: 'swap-shifts', agentIdA: 'a', agentIdB: 'a', date: '2024-02-30' } },
        ],
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^start\.local: "2024-02-30T09:00"/),
        expect.stringMatching(/^scheduleTemplates\.t\.shifts\.0\.dates\.0: "2023-02-29"/),
        expect.stringMatching(/^scheduleTemplates\.t\.shifts\.0\.activities\.0\.start: "24:30"/),
        expect.stringMatching(/^schedules\.0\.shifts\.0\.activities\.0\.start: "2024-04-31T06:00"/),
        expect.stringMatching(/^timeOffRequests\.0\.fullDayDates\.0: "2024-13-01"/),
        expect.stringMatching(/^timeline\.2\.action\.date: "2024-02-30"/),
      ]),
    );
    // 29 February exists in a leap year.
    expect(() =>
      parseScenario({ ...minimal, start: { local: '2024-02-29T09:00', zone: 'UTC' } }),
    ).not.toThrow();
  });

  it('refuses an impossible timeline date', () => {
    const issues = issuesOf(() =>
      parseScenario({
        ...minimal,
        agents: [{ id: 'a', name: 'A' }],
        timeline: [
          { at: '2024-02-30T09:05', action: { type: 'end-call', agentId: 'a' } },
          { at: '09:61', action: { type: 'end-call', agentId: 'a' } },
        ],
      }),
    );
    expect(issues).toEqual([
      expect.stringMatching(/^timeline\.0\.at/),
      expect.stringMatching(/^timeline\.1\.at/),
    ]);
  });

  it('expands agent groups with id and name patterns deterministically', () => {
    const s = parseScenario({
      ...minimal,
      agentGroups: [
        { id: 'g', count: 3, idPattern: 'agent-{n:3}', namePattern: '{group} #{n}' },
        { id: 'h', count: 2 },
      ],
    });
    const agents = expandAgents(s);
    expect(agents.map((a) => a.id).slice(0, 3)).toEqual(['agent-001', 'agent-002', 'agent-003']);
    expect(agents[2]?.name).toBe('g #3');
    expect(agents[3]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(expandAgents(s).map((a) => a.id)).toEqual(agents.map((a) => a.id));
  });
});
