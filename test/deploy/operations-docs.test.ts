import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The runbook's alerting rules must name series the services really serve: a renamed metric breaks this test
// rather than an operator's alerts.
const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const runbook = read('docs/operations.md');
const served = new Set(
  [
    'services/engine/src/metrics.ts',
    'services/engine/src/incidents/incident-metrics.ts',
    'services/notifier/src/metrics.ts',
  ].flatMap((file) => [...read(file).matchAll(/'(lockstep_[a-z_]+)'/g)].map((m) => m[1] ?? '')),
);
/** A histogram's series carry suffixes. */
const base = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

describe('docs/operations.md', () => {
  const block = /## Reading the metrics[^\n]*\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(runbook)?.[1] ?? '';
  const doc = parse(block) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);

  it('holds Prometheus alerting rules that parse, each with an expression', () => {
    expect(rules.length).toBeGreaterThan(5);
    expect(rules.filter((r) => typeof r.alert !== 'string' || typeof r.expr !== 'string')).toEqual([]);
  });

  it('names only metrics the engine or the notifier serve, in the rules and in the text', () => {
    expect(served.size).toBeGreaterThan(20);
    const named = [...runbook.matchAll(/\blockstep_[a-z_]+(?![a-z_-])/g)].map((m) => m[0]);
    expect(rules.some((r) => r.expr.includes('lockstep_redis_up'))).toBe(true);
    expect([...new Set(named.filter((n) => !served.has(base(n))))]).toEqual([]);
  });
});
