import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createWfmGate } from './wfm-gate.js';

function gate(configured: boolean) {
  const lines: Array<Record<string, unknown>> = [];
  const disabled: Array<[string[], number]> = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const g = createWfmGate({
    configured,
    logger,
    now: () => 42,
    disable: (ids, at) => disabled.push([[...ids], at]),
  });
  return { g, lines, disabled };
}

describe('WFM gate', () => {
  it('disables every tracked agent once on a 403, with one warning, and new agents as they come', () => {
    const { g, lines, disabled } = gate(true);
    g.track(['a', 'b']);
    expect(g.enabled()).toBe(true);
    g.forbidden(['a']);
    g.forbidden(['b']);
    expect(g.enabled()).toBe(false);
    expect(disabled).toEqual([
      [['a'], 42],
      [['b'], 42],
    ]);
    g.track(['c']);
    expect(disabled.at(-1)).toEqual([['c'], 42]);
    expect(lines).toHaveLength(1);
  });

  it('disables only the agents whose WFM topics were rejected', () => {
    const { g, disabled } = gate(true);
    g.track(['a', 'b']);
    g.disabledFor(['b']);
    g.disabledFor(['b']);
    expect(g.enabled()).toBe(true);
    expect(disabled).toEqual([[['b'], 42]]);
  });

  it('when configured off, disables agents as they are tracked without warning', () => {
    const { g, lines, disabled } = gate(false);
    expect(g.enabled()).toBe(false);
    g.track(['a']);
    expect(disabled).toEqual([[['a'], 42]]);
    expect(lines).toEqual([]);
  });
});
