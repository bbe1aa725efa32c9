import SwaggerParser from '@apidevtools/swagger-parser';
import { createAgentProfiles } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BOOTSTRAP,
  bearer,
  type Fixture,
  finding,
  liveEngine,
  seedAgent,
  startFixture,
} from './testing/fixture.js';

let server: RedisServer;
let f: Fixture;
type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};
let doc: Doc;
let deref: Doc;
let WEBHOOK_ID = 'wh_unset';
const ajv = new Ajv2020({ strict: false, allErrors: true });

beforeAll(async () => {
  server = await startRedis();
  f = await startFixture(server, { ADMIN_API_RATE_LIMIT_MAX: '1000000' });
  // A live engine heartbeat and its channels connected, so /readyz answers 200: a 503 there reports readiness, not bad input.
  await liveEngine(f);
  await seedAgent(f.store, 'a1', { findings: [finding('a1', 'on-queue-not-routable', 1_700_000_000_500)] });
  // A directory entry, so agent answers carry a name and memberships too.
  await createAgentProfiles({ redis: f.redis, keys: f.keys }).write([
    {
      agentId: 'a1',
      name: 'Ada',
      queueIds: ['q1'],
      divisionId: 'd1',
      managementUnitId: 'mu1',
      updatedAt: 1_700_000_000_000,
    },
  ]);
  const created = await f.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(BOOTSTRAP),
    payload: { url: 'https://hooks.example.com/fuzz' },
  });
  WEBHOOK_ID = created.json<{ id: string }>().id;
  doc = (await f.app.inject({ method: 'GET', url: '/openapi.json' })).json<Doc>();
  deref = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as Doc;
});
afterAll(async () => {
  await f?.close();
  await server?.stop();
});

/** Matches a concrete URL path to its OpenAPI path template. */
function template(path: string): string | undefined {
  return Object.keys(deref.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
}

/** Problems of `body` against the documented response schema of this route and status. */
function conformance(method: string, url: string, status: number, body: unknown): string[] {
  const path = url.split('?')[0] ?? '';
  const t = template(path);
  if (t === undefined) return status === 404 ? [] : [`no documented path for ${path}`];
  const op = deref.paths[t]?.[method.toLowerCase()];
  if (op === undefined) return status === 404 || status === 405 ? [] : [`${method} ${t} is not documented`];
  const response = op.responses[String(status)];
  if (response === undefined) return [`${method} ${t} does not document status ${status}`];
  const type =
    status >= 400 && response.content?.['application/problem+json'] !== undefined
      ? 'application/problem+json'
      : 'application/json';
  const schema = response.content?.[type]?.schema;
  if (status !== 204 && schema === undefined) return [`${method} ${t} ${status} has no ${type} schema`];
  if (schema === undefined) return [];
  const validate = ajv.compile(schema);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document with request and response schemas on every route', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([m, op]) => ({ p, m, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(15);
    for (const { p, m, op } of operations) {
      const ok = Object.keys(op.responses).find((s) => s.startsWith('2'));
      expect(ok, `${m} ${p}`).toMatch(/^2\d\d$/);
    }
    const put = doc.paths['/v1/agents/{id}/desired-state']?.put as unknown as { requestBody?: unknown };
    expect(put.requestBody).toBeTruthy();
    const get = doc.paths['/v1/agents/{id}']?.get;
    expect(Object.keys(get?.responses['404']?.content ?? {})).toEqual(['application/problem+json']);
    expect(Object.keys(doc.paths['/readyz']?.get?.responses['503']?.content ?? {})).toEqual([
      'application/json',
    ]);
  });

  test('serves a docs page at /docs', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

const ROUTES = [
  { method: 'GET', path: '/v1/agents' },
  { method: 'GET', path: '/v1/agents/:id' },
  { method: 'GET', path: '/v1/agents/:id/history' },
  { method: 'POST', path: '/v1/agents/:id/resync' },
  { method: 'PUT', path: '/v1/agents/:id/desired-state' },
  { method: 'DELETE', path: '/v1/agents/:id/desired-state' },
  { method: 'POST', path: '/v1/desired-states' },
  { method: 'GET', path: '/v1/findings' },
  { method: 'GET', path: '/v1/rules' },
  { method: 'PUT', path: '/v1/rules/:id' },
  { method: 'GET', path: '/v1/keys' },
  { method: 'POST', path: '/v1/keys' },
  { method: 'DELETE', path: '/v1/keys/:id' },
  { method: 'POST', path: '/v1/webhooks' },
  { method: 'GET', path: '/v1/webhooks' },
  { method: 'GET', path: '/v1/webhooks/:id' },
  { method: 'PATCH', path: '/v1/webhooks/:id' },
  { method: 'DELETE', path: '/v1/webhooks/:id' },
  { method: 'POST', path: '/v1/webhooks/:id/test' },
  { method: 'POST', path: '/v1/webhooks/:id/rotate-secret' },
  { method: 'GET', path: '/v1/webhooks/:id/deliveries' },
  { method: 'POST', path: '/v1/webhooks/:id/recover' },
  { method: 'GET', path: '/v1/dead-letters' },
  { method: 'POST', path: '/v1/dead-letters/:id/replay' },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
] as const;

const idArb = fc.oneof(
  fc.constantFrom('a1', 'a2', 'stuck-not-responding', '0123456789abcdef', '%7B%7D', '..', 'a%00b'),
  // Mapped at generation time: the subscription is created in beforeAll.
  fc
    .constantFrom('webhook', 'dead-letter', 'wh_missing', 'wh_x:msg_y')
    .map((k) => (k === 'webhook' ? WEBHOOK_ID : k === 'dead-letter' ? `${WEBHOOK_ID}:msg_dead` : k)),
  fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s) || 'x'),
  fc.string({ unit: 'grapheme', maxLength: 300 }).map((s) => encodeURIComponent(s) || 'y'),
);
const queryArb = fc.dictionary(
  fc.constantFrom(
    'limit',
    'cursor',
    'presence',
    'routingStatus',
    'rule',
    'openFinding',
    'queue',
    'sort',
    'kind',
    'severity',
    'status',
    'since',
    'subscriptionId',
    'zz',
  ),
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer().map(String),
    fc.constantFrom('ON_QUEUE', 'true', '500', '501', '-1', 'timeInState', 'resolved', 'open'),
  ),
  { maxKeys: 4 },
);
const webhookUrlArb = fc.constantFrom(
  'https://hooks.example.com/x',
  'http://hooks.example.com/x',
  'https://10.0.0.1/x',
  'https://[::ffff:127.0.0.1]/',
  'https://169.254.169.254/',
  'not a url',
  '',
);
// Webhook bodies that often pass validation, so the 201/200/422 answers are checked against the document too.
const webhookBodyArb = fc.oneof(
  fc.record(
    {
      url: webhookUrlArb,
      eventTypes: fc.array(fc.constantFrom('finding.opened', 'webhook.test'), { maxLength: 2 }),
      minSeverity: fc.constantFrom('info', 'critical', null),
      description: fc.string({ maxLength: 40 }),
      enabled: fc.boolean(),
      secret: fc.constantFrom(`whsec_${Buffer.alloc(24, 5).toString('base64')}`, 'whsec_short'),
    },
    { requiredKeys: ['url'] },
  ),
  fc.record({ overlapMs: fc.oneof(fc.nat(1_000_000), fc.integer()) }, { requiredKeys: [] }),
  fc.record({ since: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }),
);
const bodyArb = fc.oneof(
  webhookBodyArb,
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      presence: fc.constantFrom('ON_QUEUE', 'BREAK', 'nope', 3),
      source: fc.oneof(fc.string({ maxLength: 120 }), fc.constant('wfm')),
      validFrom: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      validUntil: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      items: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
      name: fc.string({ maxLength: 120 }),
      scopes: fc.array(fc.constantFrom('read', 'operate', 'admin', 'root'), { maxLength: 4 }),
      graceMs: fc.oneof(fc.integer(), fc.double()),
      enabled: fc.oneof(fc.boolean(), fc.string()),
      url: fc.constantFrom(
        'https://hooks.example.com/x',
        'http://hooks.example.com/x',
        'https://10.0.0.1/x',
        'https://[::1]/',
        'not a url',
        '',
      ),
      eventTypes: fc.array(fc.constantFrom('finding.opened', 'webhook.test', 'nope'), { maxLength: 3 }),
      minSeverity: fc.constantFrom('info', 'critical', null, 'loud'),
      description: fc.string({ maxLength: 60 }),
      secret: fc.constantFrom(`whsec_${Buffer.alloc(32, 3).toString('base64')}`, 'whsec_short', 'x'),
      since: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      overlapMs: fc.oneof(fc.integer(), fc.constant(3_600_000)),
      filters: fc.oneof(fc.constant({ ruleIds: ['r1'] }), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: [] },
  ),
);

const webhookIdArb = fc
  .constantFrom('webhook', 'dead-letter')
  .map((k) => (k === 'webhook' ? WEBHOOK_ID : `${WEBHOOK_ID}:msg_dead`));

/** One request; checks the promises (no 5xx, problem bodies, conformance) and returns the status. */
async function probe(
  route: (typeof ROUTES)[number],
  id: string,
  query: Record<string, string>,
  body: unknown,
  mode: string,
): Promise<number> {
  const qs = new URLSearchParams(query).toString();
  const url = `${route.path.replace(':id', id)}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string> = mode === 'none' ? {} : bearer(BOOTSTRAP);
  let payload: string | undefined;
  if (route.method !== 'GET') {
    payload = JSON.stringify(body);
    headers['content-type'] = mode === 'garbage-type' ? 'application/x-weird' : 'application/json';
    if (mode === 'json-text') payload = payload.slice(0, Math.max(0, payload.length - 1));
  }
  const res = await f.app.inject({
    method: route.method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  expect(res.statusCode, `${route.method} ${url}: ${res.body}`).toBeLessThan(500);
  const json = res.body === '' ? null : (JSON.parse(res.body) as unknown);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json).toMatchObject({
      status: res.statusCode,
      code: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(res.body).not.toMatch(/\bat .+:\d+:\d+/);
  }
  expect(conformance(route.method, url, res.statusCode, json), `${route.method} ${url}`).toEqual([]);
  // The newest subscription is the one later requests name (a DELETE may have removed the previous one).
  if (route.path === '/v1/webhooks' && res.statusCode === 201) WEBHOOK_ID = (json as { id: string }).id;
  return res.statusCode;
}

describe('fuzzing', () => {
  test('the conformance check refuses bodies off the document', () => {
    expect(conformance('GET', '/v1/agents/a1', 200, { agentId: 3 })).not.toEqual([]);
    expect(conformance('GET', '/v1/agents/a1', 418, {})).toEqual([
      'GET /v1/agents/{id} does not document status 418',
    ]);
    expect(conformance('GET', '/v1/findings', 400, { code: 'X' })).not.toEqual([]);
  });

  test('never a 5xx; a problem body on every 4xx; every answer conforms to the OpenAPI document', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        idArb,
        queryArb,
        bodyArb,
        fc.constantFrom('admin', 'none', 'json-text', 'garbage-type'),
        async (route, id, query, body, mode) => {
          await probe(route, id, query, body, mode);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the webhook routes, with an admin key and JSON bodies that often pass validation, keep the same promises', async () => {
    const statuses = new Set<string>();
    const webhookRoutes = ROUTES.filter((r) => /webhooks|dead-letters/.test(r.path));
    const route = (method: string, path: string) => {
      const found = webhookRoutes.find((r) => r.method === method && r.path === path);
      if (found === undefined) throw new Error(`no route ${method} ${path}`);
      return found;
    };
    const sub = await f.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(BOOTSTRAP),
      payload: { url: 'https://hooks.example.com/examples' },
    });
    const id = sub.json<{ id: string }>().id;
    const ok = 'https://hooks.example.com/x';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...webhookRoutes),
        fc.oneof(webhookIdArb, idArb),
        queryArb,
        fc.oneof({ arbitrary: webhookBodyArb, weight: 4 }, { arbitrary: bodyArb, weight: 1 }),
        async (r, i, query, body) => {
          statuses.add(`${r.method} ${r.path} ${await probe(r, i, query, body, 'admin')}`);
        },
      ),
      {
        numRuns: 300,
        // Run first, so every success and refusal answer is checked against the document whatever is drawn.
        examples: [
          [route('POST', '/v1/webhooks'), 'x', {}, { url: ok, eventTypes: ['finding.opened'] }],
          [route('POST', '/v1/webhooks'), 'x', {}, { url: 'https://[::ffff:10.0.0.1]/' }],
          [route('PATCH', '/v1/webhooks/:id'), id, {}, { url: ok, minSeverity: 'critical' }],
          [route('POST', '/v1/webhooks/:id/test'), id, {}, {}],
          [route('POST', '/v1/webhooks/:id/rotate-secret'), id, {}, { overlapMs: 1_000 }],
          [route('POST', '/v1/webhooks/:id/recover'), id, {}, { since: '2026-01-01T00:00:00Z' }],
          [route('GET', '/v1/webhooks/:id/deliveries'), id, { limit: '5' }, null],
          [route('GET', '/v1/webhooks/:id'), id, {}, null],
        ],
      },
    );
    for (const seen of [
      'POST /v1/webhooks 201',
      'POST /v1/webhooks 422',
      'PATCH /v1/webhooks/:id 200',
      'POST /v1/webhooks/:id/test 202',
      'POST /v1/webhooks/:id/rotate-secret 200',
      'POST /v1/webhooks/:id/recover 202',
      'GET /v1/webhooks/:id/deliveries 200',
      'GET /v1/webhooks/:id 200',
    ]) {
      expect([...statuses]).toContain(seen);
    }
  });
});
