import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENGINE_ENV_VARIABLES } from '@lockstep/engine';
import { SIM_ENV_VARIABLES } from '@lockstep/genesys-sim';
import { NOTIFIER_ENV_VARIABLES } from '@lockstep/notifier';
import { describe, expect, it } from 'vitest';

// docs/configuration.md is written by hand and checked here against what each service's config module reads
// (the lists are derived from the zod schemas), so neither can drift from the other.
const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const doc = read('docs/configuration.md');

/** The text under each top-level heading (`# Engine configuration` ...), by heading. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  let fence = false;
  let current: string | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    if (!fence && /^# /.test(line)) {
      current = line.slice(2).trim();
      out.set(current, '');
    } else if (current !== undefined) out.set(current, `${out.get(current) ?? ''}${line}\n`);
  }
  return out;
}

/** The variables a section's tables document: every `UPPER_CASE` name in the first cell of a table row. */
function documented(section: string): string[] {
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const m of cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1] ?? '');
  }
  return [...names].sort();
}

const services = [
  ['Engine configuration', ENGINE_ENV_VARIABLES],
  ['Notifier configuration', NOTIFIER_ENV_VARIABLES],
  ['Simulator configuration', SIM_ENV_VARIABLES],
] as const;

describe('docs/configuration.md', () => {
  it.each(services)('"%s" documents exactly the variables the service reads', (heading, reads) => {
    const section = sections(doc).get(heading);
    expect(section, `no "# ${heading}" section`).toEqual(expect.any(String));
    const inDoc = documented(section ?? '');
    expect({ missingFromDoc: [...reads].filter((v) => !inDoc.includes(v)).sort() }).toEqual({
      missingFromDoc: [],
    });
    expect({ documentedButNotRead: inDoc.filter((v) => !reads.includes(v)) }).toEqual({
      documentedButNotRead: [],
    });
  });

  it('finds variables the way the check expects (a table cell with several names, headings inside fences)', () => {
    const text = '# A\n| `X_1`, `Y` | d |\n```\n# B\n```\n| `Z` | e |\n# C\n| not `lower` | f |\n';
    const parsed = sections(text);
    expect([...parsed.keys()]).toEqual(['A', 'C']);
    expect(documented(parsed.get('A') ?? '')).toEqual(['X_1', 'Y', 'Z']);
    expect(documented(parsed.get('C') ?? '')).toEqual([]);
  });
});

describe('.env.example', () => {
  const example = read('.env.example');
  const compose = read('docker-compose.yml');
  /** `NAME` of each `NAME=` line, commented out or not, that has a comment line right above its block. */
  const lines = example.split('\n');
  const variables = new Map<string, boolean>();
  for (const [i, line] of lines.entries()) {
    const m = /^(?:# ?)?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (m === null) continue;
    // Described when a comment that is not itself a variable line precedes it within its block.
    let described = false;
    for (let j = i - 1; j >= 0 && (lines[j] ?? '').startsWith('#'); j--) {
      if (!/^# ?[A-Z][A-Z0-9_]*=/.test(lines[j] ?? '')) described = true;
    }
    variables.set(m[1] ?? '', described);
  }

  it('holds every ${VAR} docker-compose.yml uses', () => {
    const used = [...new Set([...compose.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''))];
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((v) => !variables.has(v)).sort()).toEqual([]);
  });

  it('holds every variable the engine and the notifier read, and the admin API settings', () => {
    const wanted = [
      ...ENGINE_ENV_VARIABLES,
      ...NOTIFIER_ENV_VARIABLES,
      'ADMIN_API_PORT',
      'ADMIN_API_HOST',
      'LOCKSTEP_BOOTSTRAP_ADMIN_KEY',
    ];
    expect([...new Set(wanted)].filter((v) => !variables.has(v)).sort()).toEqual([]);
  });

  it('describes each variable with a comment', () => {
    expect(variables.size).toBeGreaterThan(30);
    expect([...variables].filter(([, described]) => !described).map(([name]) => name)).toEqual([]);
  });
});
