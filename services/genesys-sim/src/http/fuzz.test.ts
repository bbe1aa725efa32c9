import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

let sim: InProcessSim;
let token: string;
let agentId: string;
let channelId: string;

beforeAll(async () => {
  // A limit no fuzz run reaches, so 429s do not hide the routes behind them.
  sim = await startInProcessSim({ config: { rateLimitPerMinute: 1_000_000 } });
  token = await sim.token();
  agentId = sim.world.groundTruth()[0]!.id;
  const res = await fetch(`${sim.baseUrl}/api/v2/notifications/channels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  channelId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await sim?.close();
});

const segment = fc.oneof(
  fc.constantFrom(
    'AGENT',
    'CHANNEL',
    'mu-1',
    'purecloud',
    'PURECLOUD',
    'bulk',
    '',
    '..',
    '%',
    '%E0%A4%A',
    '%00',
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);

const pathTemplates = [
  '/api/v2/users',
  '/api/v2/users/{s}',
  '/api/v2/users/{s}/queues',
  '/api/v2/users/{s}/presences/{s}',
  '/api/v2/users/presences/{s}/bulk',
  '/api/v2/users/presences/bulk',
  '/api/v2/users/{s}/routingstatus',
  '/api/v2/users/{s}/station',
  '/api/v2/users/{s}/station/associatedstation',
  '/api/v2/presencedefinitions',
  '/api/v2/routing/queues/{s}/members',
  '/api/v2/notifications/channels',
  '/api/v2/notifications/channels/{s}',
  '/api/v2/notifications/channels/{s}/subscriptions',
  '/api/v2/workforcemanagement/managementunits',
  '/api/v2/workforcemanagement/managementunits/{s}/agentschedules/search',
  '/api/v2/workforcemanagement/managementunits/{s}/adherence',
  '/api/v2/workforcemanagement/adherence',
  '/api/v2/workforcemanagement/agents/{s}/managementunit',
  '/api/v2/tokens/me',
  '/__sim/agents',
  '/__sim/actions',
  '/__sim/faults',
  '/__sim/faults/{s}',
  '/__sim/channels',
  '/__sim/stats',
  '/__sim/requests',
  '/__sim/settings',
  '/downloads/{s}',
  '/{s}',
];

const path = fc
  .tuple(fc.constantFrom(...pathTemplates), fc.array(segment, { minLength: 3, maxLength: 3 }))
  .map(([template, segs]) => {
    let i = 0;
    return template.replace(/\{s\}/g, () => {
      const s = segs[i++]!;
      return s === 'AGENT' ? agentId : s === 'CHANNEL' ? channelId : s;
    });
  });

const query = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          'id',
          'pageSize',
          'pageNumber',
          'expand',
          'userId',
          'ignoreErrors',
          'joined',
          'state',
        ),
        fc.oneof(
          fc.string({ maxLength: 8 }).map(encodeURIComponent),
          fc.constantFrom('-1', '1e9', '%ZZ', '0x10'),
        ),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
);

/** World actions (`"AGENT"` stands for a real agent id) and faults with plausible fields and hostile values; `server-errors` is left out (it is a 5xx). */
const action = fc.oneof(
  fc.record({
    type: fc.constantFrom(
      'set-presence',
      'set-routing-status',
      'kill-station',
      'end-call',
      'hold-call',
      'offer-call',
      'swap-shifts',
      'publish-schedule',
      'request-time-off',
      'edit-shift',
      'firehose',
    ),
    agentId: fc.constantFrom('AGENT', 'ghost', '*', ''),
    agentIdA: fc.constant('AGENT'),
    agentIdB: fc.constant('AGENT'),
    queueId: fc.string({ maxLength: 6 }),
    presence: fc.oneof(fc.constantFrom('On Queue', 'Busy', 'Nope'), fc.jsonValue({ maxDepth: 2 })),
    status: fc.constantFrom('IDLE', 'OFF_QUEUE', 'PENDING', 'x'),
    date: fc.constantFrom('2024-02-29', '2024-02-30', '2024-13-01', 'x'),
    weekStart: fc.constantFrom('2024-03-04', '2023-02-29'),
    fullDayDates: fc.array(fc.constantFrom('2024-03-05', '2024-02-30'), { maxLength: 2 }),
    partialStart: fc.constantFrom('2024-03-05T09:00', '2024-03-05T25:00', 'soon'),
    eventsPerSecond: fc.oneof(fc.double(), fc.constantFrom(1e12, 1e5, -1, 0)),
    held: fc.oneof(fc.boolean(), fc.constant('yes')),
  }),
  fc.record({
    tokenRateLimitPerMinute: fc.oneof(fc.integer({ min: -1, max: 1_000_000 }), fc.double()),
    clientRateLimits: fc.dictionary(
      fc.constantFrom('lockstep-demo', 'nobody'),
      fc.constantFrom(null, 0, 500_000, 2.5),
    ),
    scheduleSearchAnswer: fc.constantFrom('sync', 'download', 'later'),
    resetRateWindows: fc.boolean(),
  }),
  fc.record({
    kind: fc.constantFrom(
      'events',
      'socket-kill',
      'heartbeats-stop',
      'garbage',
      'rate-limit-storm',
      'meteor',
    ),
    mode: fc.constantFrom('drop', 'delay', 'nope'),
    durationMs: fc.oneof(fc.integer({ min: -5, max: 2_000 }), fc.double()),
    probability: fc.double(),
    retryAfterSec: fc.integer({ min: -1, max: 5 }),
  }),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  action.map((v) => JSON.stringify(v)),
  fc.array(action, { maxLength: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: 1, max: 5_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
);

describe('fuzzing the REST and control API', () => {
  it('never answers 5xx and answers every error with an ErrorBody', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        path,
        query,
        body,
        contentType,
        async (method, p, q, b, ct) => {
          const control = p.startsWith('/__sim');
          const withBody = b !== undefined && method !== 'GET' && method !== 'HEAD';
          // Actions name the agent as "AGENT"; the real id is known only once the simulator runs.
          const sent = b?.replaceAll('"AGENT"', JSON.stringify(agentId));
          const res = await fetch(`${sim.baseUrl}${p}${q}`, {
            method,
            headers: {
              authorization: control ? 'Bearer sim-control' : `Bearer ${token}`,
              ...(withBody ? { 'content-type': ct } : {}),
            },
            ...(withBody ? { body: sent } : {}),
          });
          const text = await res.text();
          expect(
            res.status,
            `${method} ${p}${q} ${String(b).slice(0, 80)} → ${text.slice(0, 200)}`,
          ).toBeLessThan(500);
          if (res.status >= 400 && method !== 'HEAD') {
            const parsed = JSON.parse(text) as Record<string, unknown>;
            expect(parsed).toMatchObject({
              status: res.status,
              code: expect.any(String),
              message: expect.any(String),
              contextId: res.headers.get('inin-correlation-id'),
              details: [],
              errors: [],
            });
          }
          // Stop anything a valid request started, so later runs see the same small world.
          sim.server.faults.close();
          sim.world.act({ type: 'firehose', eventsPerSecond: 0 });
          await sim.control('PATCH', '/__sim/settings', {
            tokenRateLimitPerMinute: 1_000_000,
            clientRateLimits: { [sim.clients[0]!.clientId]: null },
            resetRateWindows: true,
          });
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  }, 60_000);
});
