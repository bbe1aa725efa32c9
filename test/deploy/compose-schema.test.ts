import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The compose file is checked against the compose-spec JSON schema (as shipped by dclint) without a Docker engine;
// `make test-compose` brings it up for real.
const require = createRequire(import.meta.url);
const schemaFile = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
// The file names draft-07 by its https URL, which Ajv (draft-07 by default) does not know under that name.
const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<
  string,
  unknown
>;
const composeText = readFileSync(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8');

function validate(doc: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const check = ajv.compile(schema);
  if (check(doc)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

type Compose = {
  services: Record<string, Record<string, unknown> & { profiles?: string[]; ports?: unknown[] }>;
};

describe('docker-compose.yml', () => {
  const doc = parse(composeText, { merge: true }) as Compose;

  it('conforms to the compose-spec schema', () => {
    expect(validate(doc)).toEqual([]);
  });

  it('the schema check refuses what compose refuses (an unknown service key, a healthcheck interval as a number)', () => {
    const broken = structuredClone(doc);
    (broken.services['engine'] as Record<string, unknown>)['restart_policy'] = 'always';
    (broken.services['redis'] as Record<string, unknown>)['healthcheck'] = { interval: 5 };
    const problems = validate(broken);
    expect(problems.some((p) => p.includes('/services/engine'))).toBe(true);
    expect(problems.some((p) => p.includes('/services/redis/healthcheck/interval'))).toBe(true);
  });

  it('runs redis, engine, notifier and admin-api by default; the simulator and receiver only in the demo profile', () => {
    const byDefault = Object.entries(doc.services)
      .filter(([, s]) => s.profiles === undefined)
      .map(([name]) => name)
      .sort();
    expect(byDefault).toEqual(['admin-api', 'engine', 'notifier', 'redis']);
    expect(doc.services['genesys-sim']?.profiles).toEqual(['demo']);
    expect(doc.services['webhook-receiver']?.profiles).toEqual(['demo']);
  });

  it('publishes only the admin API port', () => {
    const published = Object.entries(doc.services)
      .filter(([, s]) => (s.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(published).toEqual(['admin-api']);
  });

  it('starts each lockstep service after a healthy redis, with a restart policy', () => {
    for (const name of ['engine', 'notifier', 'admin-api']) {
      const service = doc.services[name] as {
        depends_on?: Record<string, { condition?: string }>;
        restart?: string;
      };
      expect(service.depends_on?.['redis']?.condition, name).toBe('service_healthy');
      expect(service.restart, name).toBe('unless-stopped');
    }
  });
});
