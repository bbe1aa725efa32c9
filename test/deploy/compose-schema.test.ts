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

  type Service = {
    environment?: Record<string, string | number>;
    depends_on?: Record<string, { condition?: string }>;
    restart?: string;
    command?: string[];
  };
  const service = (name: string) => doc.services[name] as Service;

  it("exempts only the demo receiver's name from the SSRF guard by default: no plain http, no address range", () => {
    for (const name of ['notifier', 'admin-api', 'demo-setup']) {
      const env = service(name).environment ?? {};
      expect(env['WEBHOOK_TRUSTED_HOSTS'], name).toBe('${WEBHOOK_TRUSTED_HOSTS-webhook-receiver}');
      expect(env['WEBHOOK_ALLOW_HTTP'], name).toBe('${WEBHOOK_ALLOW_HTTP:-false}');
      expect(env['WEBHOOK_ALLOWED_CIDRS'], name).toBe('${WEBHOOK_ALLOWED_CIDRS:-}');
    }
    expect(Object.keys(doc.services)).toContain('webhook-receiver');
  });

  it('keeps corrections in dry-run unless the operator says otherwise', () => {
    expect(service('engine').environment?.['LOCKSTEP_CORRECTIONS']).toBe('${LOCKSTEP_CORRECTIONS:-dry-run}');
  });

  it('runs demo-setup once in the demo profile, after the API and the receiver, before the simulator starts', () => {
    const setup = service('demo-setup');
    expect(doc.services['demo-setup']?.profiles).toEqual(['demo']);
    expect(setup.command).toEqual(['demo-setup']);
    expect(setup.restart).toBe('no');
    expect(setup.environment?.['DEMO_RECEIVER_URL']).toBe('http://webhook-receiver:9000/');
    expect(setup.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      'admin-api': { condition: 'service_healthy' },
      'webhook-receiver': { condition: 'service_healthy' },
    });
    // A long-running service waits for it: `up --wait` then counts its exit 0 as done.
    expect(service('genesys-sim').depends_on?.['demo-setup']?.condition).toBe(
      'service_completed_successfully',
    );
    // The receiver verifies with the secret demo-setup registers it with.
    const receiverSecret = service('webhook-receiver')
      .command?.find((a) => a.startsWith('--secret='))
      ?.slice('--secret='.length);
    expect(receiverSecret).toMatch(/^\$\{DEMO_WEBHOOK_SECRET:-whsec_/);
    expect(setup.environment?.['DEMO_WEBHOOK_SECRET']).toBe(receiverSecret);
  });
});
