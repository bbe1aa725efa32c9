import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { type Scenario, scenarioSchema } from './schema.js';
import { crossCheckScenario } from './validate.js';

/** Directory of the shipped scenario files (same relative place from `src/` and `dist/`). */
export const SHIPPED_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Names of the shipped scenarios, sorted. */
export function shippedScenarioNames(): string[] {
  return readdirSync(SHIPPED_SCENARIO_DIR)
    .filter((f) => extname(f) === '.json')
    .map((f) => basename(f, '.json'))
    .sort();
}

const validated = new WeakSet<object>();

/** Whether `value` is a scenario object returned by `parseScenario`/`loadScenario` (not a modified copy). */
export function isValidatedScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && validated.has(value);
}

/**
 * Validates raw scenario JSON. Throws `ScenarioError` (`SCENARIO_INVALID`) listing every problem at once; returns
 * a frozen-shape scenario with defaults applied. Pure.
 */
export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issues: ScenarioIssue[] = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw new ScenarioError('SCENARIO_INVALID', `${source} is invalid (${issues.length} problem(s))`, issues);
  }
  const issues = crossCheckScenario(parsed.data);
  if (issues.length > 0) {
    throw new ScenarioError('SCENARIO_INVALID', `${source} is invalid (${issues.length} problem(s))`, issues);
  }
  validated.add(parsed.data);
  return parsed.data;
}

/**
 * Loads a scenario by shipped name (`calm-day`) or by file path (anything containing a path separator or ending
 * in `.json`). Unknown names fail with `SCENARIO_NOT_FOUND` listing the shipped names.
 */
export function loadScenario(nameOrPath: string): Scenario {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  let file: string;
  if (looksLikePath) {
    file = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  } else {
    const names = shippedScenarioNames();
    if (!names.includes(nameOrPath)) {
      throw new ScenarioError(
        'SCENARIO_NOT_FOUND',
        `unknown scenario "${nameOrPath}"; shipped scenarios: ${names.join(', ')}`,
      );
    }
    file = resolve(SHIPPED_SCENARIO_DIR, `${nameOrPath}.json`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    const code =
      (cause as { code?: string }).code === 'ENOENT' ? 'SCENARIO_NOT_FOUND' : 'SCENARIO_UNREADABLE';
    throw new ScenarioError(
      code,
      `cannot read scenario file ${basename(file)}: ${(cause as Error).message}`,
      [],
      {
        cause,
      },
    );
  }
  return parseScenario(raw, `scenario ${basename(file)}`);
}
