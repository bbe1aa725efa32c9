import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOAD_TTL_MS } from './downloads.js';
import { type InProcessSim, startInProcessSim } from './test-harness.js';

const api = platformClient.ApiClient.instance;
let sim: InProcessSim;
let muId: string;
let agentId: string;

beforeAll(async () => {
  sim = await startInProcessSim();
  api.setGateway({ host: '127.0.0.1', protocol: 'http', port: sim.port });
  const main = sim.clients[0]!;
  await api.loginClientCredentialsGrant(main.clientId, main.clientSecret);
  const scheduled = sim.world.groundTruth().find((a) => a.managementUnitId !== null)!;
  muId = scheduled.managementUnitId!;
  agentId = scheduled.id;
});
afterAll(async () => {
  await sim?.close();
});

const search = (opts: { forceDownloadService?: boolean } = {}) =>
  new platformClient.WorkforceManagementApi().postWorkforcemanagementManagementunitAgentschedulesSearch(
    muId,
    {
      startDate: new Date(sim.world.now() - 12 * 3600_000).toISOString(),
      endDate: new Date(sim.world.now() + 36 * 3600_000).toISOString(),
      userIds: [agentId],
    },
    opts,
  );

const setAnswer = async (scheduleSearchAnswer: 'sync' | 'download') => {
  const res = await sim.control('PATCH', '/__sim/settings', { scheduleSearchAnswer });
  expect(res.status).toBe(200);
};

describe('MU schedule search answer forms', () => {
  it('answers with the result inline by default', async () => {
    await setAnswer('sync');
    const r = await search();
    expect(r.status).toBe('Complete');
    expect(r.downloadUrl).toBeUndefined();
    expect(r.result?.agentSchedules?.map((s) => s.user?.id)).toEqual([agentId]);
  });

  it('answers with a downloadUrl that serves the same result without a token', async () => {
    await setAnswer('sync');
    const inline = await search();
    await setAnswer('download');
    const r = await search();
    expect(r).toEqual({
      status: 'Complete',
      operationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      downloadUrl: expect.stringMatching(new RegExp(`^${sim.baseUrl}/downloads/[0-9a-f]{32}$`)),
    });
    const res = await fetch(r.downloadUrl!);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(inline.result);
    await setAnswer('sync');
  });

  it('honours forceDownloadService=true while answering inline otherwise', async () => {
    await setAnswer('sync');
    const r = await search({ forceDownloadService: true });
    expect(r.result).toBeUndefined();
    const res = await fetch(r.downloadUrl!);
    expect(
      ((await res.json()) as { agentSchedules: Array<{ user: { id: string } }> }).agentSchedules[0]!.user.id,
    ).toBe(agentId);
  });

  it('lets a download URL expire, then answers 404 in the ErrorBody shape', async () => {
    const r = await search({ forceDownloadService: true });
    expect((await fetch(r.downloadUrl!)).status).toBe(200);
    sim.clock.now += DOWNLOAD_TTL_MS;
    const gone = await fetch(r.downloadUrl!);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({
      status: 404,
      code: 'not.found',
      contextId: expect.any(String),
    });
    expect((await fetch(`${sim.baseUrl}/downloads/not-a-download`)).status).toBe(404);
  });

  it('starts in the download form when configured so', async () => {
    const other = await startInProcessSim({ config: { scheduleSearchAnswer: 'download' } });
    try {
      expect((await other.control('GET', '/__sim/settings')).body).toMatchObject({
        scheduleSearchAnswer: 'download',
      });
      const token = await other.token();
      const res = await fetch(
        `${other.baseUrl}/api/v2/workforcemanagement/managementunits/${muId}/agentschedules/search`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ startDate: '2024-03-05T00:00:00Z', endDate: '2024-03-06T00:00:00Z' }),
        },
      );
      const body = (await res.json()) as { downloadUrl?: string; result?: unknown };
      expect(body.result).toBeUndefined();
      expect(body.downloadUrl).toMatch(/\/downloads\/[0-9a-f]{32}$/);
    } finally {
      await other.close();
    }
  });
});
