import { describe, expect, it } from 'vitest';
import { createIncidentCoverage } from './incident-coverage.js';

const RULE = 'on-queue-without-station';

describe('incident coverage', () => {
  it('follows opened, updated and resolved entries, per rule', () => {
    const c = createIncidentCoverage();
    c.apply({ type: 'incident.opened', incident: { id: 'i1', ruleId: RULE, failingAgentIds: ['a1', 'a2'] } });
    expect([c.covers(RULE, 'a1'), c.covers(RULE, 'a3'), c.covers('other-rule', 'a1')]).toEqual([
      true,
      false,
      false,
    ]);
    c.apply({
      type: 'incident.updated',
      incident: { id: 'i1', ruleId: RULE, failingAgentIds: ['a2', 'a3'] },
    });
    expect([c.covers(RULE, 'a1'), c.covers(RULE, 'a3')]).toEqual([false, true]);
    c.apply({ type: 'finding.opened', finding: { id: 'x', ruleId: RULE } });
    c.apply({ type: 'incident.resolved', incident: { id: 'i1', ruleId: RULE, failingAgentIds: [] } });
    expect(c.covers(RULE, 'a2')).toBe(false);
  });

  it('loads the failing members of stored open incidents (a restarted notifier mutes as before)', () => {
    const c = createIncidentCoverage();
    c.load([
      {
        id: 'i1',
        ruleId: RULE,
        status: 'open',
        members: [
          { agentId: 'a1', resolvedAt: null },
          { agentId: 'a2', resolvedAt: 1_000 },
        ],
      },
      {
        id: 'i2',
        ruleId: 'stuck-not-responding',
        status: 'resolved',
        members: [{ agentId: 'a9', resolvedAt: 5 }],
      },
    ]);
    expect([c.covers(RULE, 'a1'), c.covers(RULE, 'a2'), c.covers('stuck-not-responding', 'a9')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
