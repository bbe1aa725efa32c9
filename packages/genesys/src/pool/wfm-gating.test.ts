import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { agentUnit, queueUnit } from '../topics.js';
import { createUnitRegistry } from './unit-registry.js';
import { createWfmGating } from './wfm-gating.js';

function setup() {
  const units = createUnitRegistry();
  const a = agentUnit('agent-a');
  const b = agentUnit('agent-b');
  const q = queueUnit('queue-q');
  units.add([a, b, q]);
  const reported: Array<[readonly string[], readonly string[]]> = [];
  const wfm = createWfmGating({
    units,
    log: pino({ level: 'silent' }),
    onDisabled: (agentIds, muIds) => reported.push([agentIds, muIds]),
  });
  return { units, wfm, a, b, q, reported };
}

describe('WFM gating', () => {
  it('turns WFM off for the units whose WFM topics were rejected, and reports each unit once', () => {
    const { units, wfm, a, b, reported } = setup();
    const rejected = a.wfm.map((topic) => ({ topic, reason: 'permission' }));
    expect(rejected.length).toBeGreaterThan(0);
    wfm.onSubscribed({ permitted: [], rejected });
    wfm.onSubscribed({ permitted: [], rejected });
    expect(reported).toEqual([[['agent-a'], []]]);
    expect(wfm.isOn(a.key)).toBe(false);
    expect(wfm.isOn(b.key)).toBe(true);
    expect(units.topicsFor([a.key], wfm.isOn)).toEqual([...a.core]);
    expect(units.topicsFor([b.key], wfm.isOn)).toEqual([...b.core, ...b.wfm]);
  });

  it('a 403 turns WFM off for units that had it, and says whether a retry without WFM makes sense', () => {
    const { wfm, a, q, reported } = setup();
    expect(wfm.onForbidden([q.key])).toBe(false);
    expect(wfm.onForbidden([a.key, q.key])).toBe(true);
    expect(wfm.onForbidden([a.key])).toBe(false);
    expect(reported).toEqual([[['agent-a'], []]]);
    wfm.forget(a.key);
    expect(wfm.isOn(a.key)).toBe(true);
  });
});
