import { createGenesysApi, type GenesysApi } from '@lockstep/genesys';
import { allUserIds, type SimProcess, startSim, token } from '@lockstep/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createScheduleLoader } from './schedule-loader.js';

let sim: SimProcess;
let api: GenesysApi;
let ids: string[];

beforeAll(async () => {
  sim = await startSim({ scenario: 'calm-day' });
  api = createGenesysApi({
    options: {
      target: { apiBase: sim.baseUrl },
      clientId: 'lockstep-demo',
      clientSecret: 'lockstep-demo-secret',
      pacing: { ratePerMinute: 3_000 },
    },
    logger: pino({ level: 'silent' }),
  });
  await api.start();
  ids = await allUserIds(sim.baseUrl, await token(sim.baseUrl, 'lockstep-demo', 'lockstep-demo-secret'));
}, 60_000);

afterAll(async () => {
  api?.close();
  await sim?.stop();
});

it('the MU directory and per-agent look-ups find the same schedules; the directory costs one request per MU', async () => {
  const now = Date.now();
  const perAgent = await createScheduleLoader({ wfm: api.wfm, directoryThreshold: 1_000 }).load(ids, now);
  const directory = await createScheduleLoader({ wfm: api.wfm, directoryThreshold: 1 }).load(ids, now);
  expect(ids.length).toBeGreaterThan(10);
  // Per agent: one look-up each, the zone, the codes, one search (one MU).
  expect(perAgent.requests).toBe(ids.length + 3);
  // Directory: the MU list, the MU's users, the zone, the codes, one search.
  expect(directory.requests).toBe(5);
  expect([...directory.schedules.entries()]).toEqual([...perAgent.schedules.entries()]);
  const sample = perAgent.schedules.get(ids[0] as string);
  expect(sample?.zone).toBe('America/Los_Angeles');
  expect(sample?.segments.some((s) => s.category === 'Break')).toBe(true);
  // A warm load searches only.
  const loader = createScheduleLoader({ wfm: api.wfm });
  await loader.load(ids, now);
  expect((await loader.load(ids, now + 60_000)).requests).toBe(1);
});
