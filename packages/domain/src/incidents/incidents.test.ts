import { describe, expect, test } from 'vitest';
import type { AgentAttributes } from './attributes.js';
import { commonCause } from './common-cause.js';
import { type GroupedFinding, groupIncidents, type Incident, type IncidentSettings } from './group.js';

const MU = 'mu-chicago';
const QUEUE = 'q-billing';

/** 100 watched agents of one MU and queue; 12 had a schedule change (swap), 5 have pending time off. */
function watched(): Array<AgentAttributes & { id: string }> {
  return Array.from({ length: 100 }, (_, i) => ({
    id: `agent-${i}`,
    queueIds: [QUEUE],
    managementUnitId: MU,
    timeZone: 'America/Chicago',
    stationType: 'inin_webrtc_softphone',
    scheduleChange24h: i < 12 ? 'swap' : null,
    timeOff: i < 5 ? 'pending' : null,
    shiftStart: i % 2 === 0 ? '06:00' : '09:00',
  }));
}

const settings: IncidentSettings = { minAgents: 5, windowMs: 5 * 60_000 };
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

function finding(
  agent: AgentAttributes & { id: string },
  openedAt: number,
  resolvedAt: number | null = null,
): GroupedFinding {
  return {
    findingId: `${agent.id}:on-queue-without-station:${openedAt}`,
    agentId: agent.id,
    ruleId: 'on-queue-without-station',
    openedAt,
    resolvedAt,
    attributes: agent,
  };
}

describe('common cause', () => {
  test('names what sets the group apart, ranked by lift, with the baseline share', () => {
    const all = watched();
    // Nine failing agents: all nine had a swap (12 % of everyone), four of them have pending time off (5 %).
    const affected = all.slice(0, 9);
    const cause = commonCause(affected, all, { minShare: 0.4 });
    expect(cause.map((c) => c.id)).toEqual([
      'timeOff=pending',
      'scheduleChange24h',
      'scheduleChangeKind=swap',
    ]);
    expect(cause[1]?.text).toBe('9/9 had a schedule change in the last 24 h (baseline 12 %)');
    expect(cause[0]?.text).toBe('5/9 have pending time off (baseline 5 %)');
  });

  test('what everyone shares explains nothing', () => {
    const all = watched();
    const cause = commonCause(all.slice(50, 60), all);
    // Same MU, queue, zone and station type as everyone; half start at 06:00 like everyone.
    expect(cause).toEqual([]);
  });
});

describe('incident grouping', () => {
  test('opens one incident when K agents fail one rule within the window; fewer do not', () => {
    const all = watched();
    const four = all.slice(0, 4).map((a, i) => finding(a, T0 + i * 1_000));
    expect(
      groupIncidents({ incidents: [], findings: four, baseline: all, now: T0 + 10_000, settings }).changes,
    ).toEqual([]);

    const nine = all.slice(0, 9).map((a, i) => finding(a, T0 + i * 1_000));
    const { incidents, changes } = groupIncidents({
      incidents: [],
      findings: nine,
      baseline: all,
      now: T0 + 10_000,
      settings,
    });
    expect(changes.map((c) => c.type)).toEqual(['incident.opened']);
    const incident = incidents[0] as Incident;
    expect(incident.id).toBe(`incident:on-queue-without-station:${T0}`);
    expect(incident.members.map((m) => m.agentId)).toEqual(all.slice(0, 9).map((a) => a.id));
    // Ranked by lift: 5/9 with pending time off is 11 times the baseline, 9/9 with a swap 8 times.
    expect(incident.commonCause.map((c) => c.id).slice(0, 2)).toEqual([
      'timeOff=pending',
      'scheduleChange24h',
    ]);
    expect(incident.summary).toContain('9/9 had a schedule change in the last 24 h (baseline 12 %)');
    expect(incident.summary).toContain('5/9 have pending time off (baseline 5 %)');
  });

  test('findings spread wider than the window do not group', () => {
    const all = watched();
    const spread = all.slice(0, 6).map((a, i) => finding(a, T0 + i * 2 * 60_000));
    const { changes } = groupIncidents({
      incidents: [],
      findings: spread,
      baseline: all,
      now: T0 + 11 * 60_000,
      settings,
    });
    expect(changes).toEqual([]);
  });

  test('agents join and recover; the incident resolves when the last one recovers', () => {
    const all = watched();
    const first = all.slice(0, 5).map((a, i) => finding(a, T0 + i));
    const opened = groupIncidents({ incidents: [], findings: first, baseline: all, now: T0 + 100, settings });
    const late = finding(all[5] as AgentAttributes & { id: string }, T0 + 60_000);
    const joined = groupIncidents({
      incidents: opened.incidents,
      findings: [...first, late],
      baseline: all,
      now: T0 + 61_000,
      settings,
    });
    expect(joined.changes).toMatchObject([{ type: 'incident.updated', joined: ['agent-5'], recovered: [] }]);

    const recovering = [
      ...first.slice(1),
      late,
      { ...(first[0] as GroupedFinding), resolvedAt: T0 + 70_000 },
    ];
    const oneBack = groupIncidents({
      incidents: joined.incidents,
      findings: recovering,
      baseline: all,
      now: T0 + 71_000,
      settings,
    });
    expect(oneBack.changes).toMatchObject([{ type: 'incident.updated', joined: [], recovered: ['agent-0'] }]);
    expect(oneBack.incidents[0]?.status).toBe('open');

    // The rest are resolved and gone from the open findings: the incident resolves.
    const done = groupIncidents({
      incidents: oneBack.incidents,
      findings: [],
      baseline: all,
      now: T0 + 90_000,
      settings,
    });
    expect(done.changes.map((c) => c.type)).toEqual(['incident.resolved']);
    expect(done.incidents[0]).toMatchObject({ status: 'resolved', resolvedAt: T0 + 90_000 });
    expect(done.incidents[0]?.members.every((m) => m.resolvedAt !== null)).toBe(true);
  });

  test('a grouping with nothing new changes nothing (same incident object)', () => {
    const all = watched();
    const findings = all.slice(0, 5).map((a, i) => finding(a, T0 + i));
    const opened = groupIncidents({ incidents: [], findings, baseline: all, now: T0 + 100, settings });
    const again = groupIncidents({
      incidents: opened.incidents,
      findings,
      baseline: all,
      now: T0 + 5_000,
      settings,
    });
    expect(again.changes).toEqual([]);
    expect(again.incidents[0]).toBe(opened.incidents[0]);
  });
});
