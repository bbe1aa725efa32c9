/**
 * Schedule load at the documented rate limit: N agents (default 10,000) in management units of 1,000 under one
 * business unit (America/Chicago), each with a shift today and tomorrow, served by the simulator held to R requests
 * per minute per token (default 300, the documented limit). The engine's schedule loader, paced as the engine paces
 * (80 % of R), loads everyone cold (MU look-ups, zone, activity codes, searches), then reloads warm (caches hot).
 * Reports time taken and requests used for each pass.
 *
 *   node --conditions=@lockstep/source --import tsx bench/schedule-load.ts [--agents 10000] [--rate 300]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createScheduleLoader } from '@lockstep/engine';
import { createGenesysApi } from '@lockstep/genesys';
import { allUserIds, startSim, token } from '@lockstep/testkit';
import { DateTime } from 'luxon';
import { pino } from 'pino';

const { values } = parseArgs({
  options: { agents: { type: 'string', default: '10000' }, rate: { type: 'string', default: '300' } },
});
const agents = Number(values.agents);
const rate = Number(values.rate);
const ZONE = 'America/Chicago';
const PER_MU = 1_000;
const CLIENT = { id: 'bench-schedules', secret: 'bench-schedules-secret' };

const now = DateTime.now().setZone(ZONE);
const dates = [now.toISODate(), now.plus({ days: 1 }).toISODate()] as string[];
const mus = Array.from({ length: Math.ceil(agents / PER_MU) }, (_, i) => `bench-mu-${i}`);
const dir = mkdtempSync(join(tmpdir(), 'lockstep-schedule-load-'));
const scenario = join(dir, 'world.json');
writeFileSync(
  scenario,
  JSON.stringify({
    name: 'schedule-load',
    seed: 1,
    start: { local: now.toFormat("yyyy-MM-dd'T'HH:mm:ss"), zone: ZONE },
    oauthClients: [
      {
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        permissions: ['wfm', 'presence', 'routing', 'telephony', 'directory'],
      },
    ],
    queues: [{ id: 'bench-queue', name: 'Bench', callsPerMinute: 0 }],
    businessUnits: [{ id: 'bench-bu', name: 'Bench', timeZone: ZONE }],
    managementUnits: mus.map((id) => ({ id, name: id, businessUnitId: 'bench-bu', timeZone: ZONE })),
    scheduleTemplates: {
      day: {
        shifts: [
          {
            dates,
            activities: [
              { start: '08:00', lengthMinutes: 120, activityCodeId: '0' },
              { start: '10:00', lengthMinutes: 15, activityCodeId: '1' },
              { start: '10:15', lengthMinutes: 225, activityCodeId: '0' },
            ],
          },
        ],
      },
    },
    agentGroups: mus.map((mu, i) => ({
      id: `g${i}`,
      count: Math.min(PER_MU, agents - i * PER_MU),
      namePattern: `Agent ${i}-{n:4}`,
      queues: ['bench-queue'],
      managementUnitId: mu,
      presence: 'Offline',
      schedule: { template: 'day' },
    })),
  }),
);

const sim = await startSim({ scenario, startTimeoutMs: 120_000, args: ['--rate-limit', String(rate)] });
try {
  const bearer = await token(sim.baseUrl, CLIENT.id, CLIENT.secret);
  const ids = await allUserIds(sim.baseUrl, bearer);
  const api = createGenesysApi({
    options: {
      target: { apiBase: sim.baseUrl },
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      pacing: { ratePerMinute: rate },
    },
    logger: pino({ level: 'silent' }),
  });
  const loader = createScheduleLoader({ wfm: api.wfm, allowHttpDownloads: true });
  for (const pass of ['cold', 'warm']) {
    const t0 = performance.now();
    const result = await loader.load(ids, Date.now());
    const seconds = (performance.now() - t0) / 1_000;
    const segments = [...result.schedules.values()].reduce((n, s) => n + s.segments.length, 0);
    console.log(
      `${pass}: ${result.schedules.size} agents, ${segments} segments, ${result.requests} requests, ` +
        `${seconds.toFixed(1)} s (${((result.requests / seconds) * 60).toFixed(0)} requests/min at a limit of ${rate})`,
    );
  }
  await api.close?.();
} finally {
  await sim.stop();
}
