import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAttributesStore } from './attributes.js';
import { InvalidInputError } from './errors.js';
import { createIncidentStore, type IncidentDoc } from './incidents.js';
import { createKeys } from './keys.js';
import { createOutbox } from './outbox.js';

let server: RedisServer;
let redis: Redis;
let n = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

function setup(maxResolved?: number) {
  const keys = createKeys(`inc${++n}:`);
  return {
    keys,
    incidents: createIncidentStore({ redis, keys, ...(maxResolved === undefined ? {} : { maxResolved }) }),
    attributes: createAttributesStore({ redis, keys }),
    outbox: createOutbox({ redis, keys, group: 'g' }),
  };
}

const incident = (id: string, status: 'open' | 'resolved', updatedAt: number): IncidentDoc => ({
  id,
  status,
  updatedAt,
  summary: `about ${id}`,
});

describe('incident store', () => {
  test('saves, moves between statuses, gets and lists newest first with a cursor', async () => {
    const { incidents } = setup();
    await incidents.save(
      [incident('i1', 'open', 100), incident('i2', 'open', 300), incident('i3', 'open', 200)],
      [],
    );
    await incidents.save([incident('i1', 'resolved', 400)], []);
    expect((await incidents.openIncidents()).map((i) => i.id).sort()).toEqual(['i2', 'i3']);
    expect(await incidents.getIncident('i1')).toEqual(incident('i1', 'resolved', 400));
    expect(await incidents.getIncident('nope')).toBeNull();

    const first = await incidents.listIncidents({ limit: 2 });
    expect(first.incidents.map((i) => i.id)).toEqual(['i1', 'i2']);
    const second = await incidents.listIncidents({ limit: 2, cursor: first.cursor });
    expect(second.incidents.map((i) => i.id)).toEqual(['i3']);
    expect(second.cursor).toBeNull();
    expect((await incidents.listIncidents({ status: 'open' })).incidents.map((i) => i.id)).toEqual([
      'i2',
      'i3',
    ]);
    expect((await incidents.listIncidents({ status: 'resolved' })).incidents.map((i) => i.id)).toEqual([
      'i1',
    ]);
  });

  test('pages through ties on the last change without skipping or repeating', async () => {
    const { incidents } = setup();
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await incidents.save(
      ids.map((id) => incident(id, 'open', 500)),
      [],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await incidents.listIncidents({ limit: 2, cursor });
      seen.push(...page.incidents.map((i) => i.id));
      cursor = page.cursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(ids);
  });

  test('bad queries are refused with a clear error', async () => {
    const { incidents } = setup();
    await expect(incidents.listIncidents({ cursor: 'garbage' })).rejects.toThrow(InvalidInputError);
    await expect(incidents.listIncidents({ limit: 501 })).rejects.toThrow(/at most 500/);
    await expect(incidents.listIncidents({ status: 'closed' as unknown as 'open' })).rejects.toThrow(
      /open, resolved or all/,
    );
  });

  test('keeps at most maxResolved resolved incidents', async () => {
    const { incidents } = setup(2);
    await incidents.save(
      [incident('r1', 'resolved', 1), incident('r2', 'resolved', 2), incident('r3', 'resolved', 3)],
      [],
    );
    expect((await incidents.listIncidents()).incidents.map((i) => i.id)).toEqual(['r3', 'r2']);
    expect(await incidents.getIncident('r1')).toBeNull();
  });

  test('pending entries are stored with the change, published once, then cleared', async () => {
    const { incidents, outbox } = setup();
    await outbox.ensureGroup('all');
    const entry = { id: 'i1:incident.opened:100', key: 'i1', version: 100, at: 100, body: { type: 'x' } };
    await incidents.save([incident('i1', 'open', 100)], [entry]);
    const pending = await incidents.pendingEntries();
    expect(pending).toEqual([entry]);
    expect(await outbox.publishEntries(pending)).toBe(1);
    // A retry after a crash between publishing and clearing appends nothing.
    expect(await outbox.publishEntries(pending)).toBe(0);
    await incidents.clearPending(pending.length);
    expect(await incidents.pendingEntries()).toEqual([]);
    const [message] = await outbox.readGroup('c', 10, 0);
    expect(message).toMatchObject({ id: 'i1:incident.opened:100', agentId: 'i1', effect: { type: 'x' } });
  });
});

describe('attributes store', () => {
  test('baseline agents are written, read whole and removed', async () => {
    const { attributes } = setup();
    await attributes.writeAgents(
      new Map<string, unknown>([
        ['a1', { queueIds: ['q'] }],
        ['a2', { timeZone: 'America/Chicago' }],
      ]),
    );
    await attributes.removeAgents(['a1']);
    expect(await attributes.readAgents()).toEqual(new Map([['a2', { timeZone: 'America/Chicago' }]]));
  });

  test('finding attributes: the first capture wins, reads follow the refs, drops remove', async () => {
    const { attributes } = setup();
    const ref = { agentId: 'a1', findingId: 'a1:r:1' };
    await attributes.captureFindings([{ ...ref, attributes: { stationType: 'webrtc' } }]);
    await attributes.captureFindings([{ ...ref, attributes: { stationType: 'changed later' } }]);
    const other = { agentId: 'a2', findingId: 'a2:r:1' };
    expect(await attributes.readFindings([ref, other])).toEqual([{ stationType: 'webrtc' }, undefined]);
    await attributes.dropFindings([ref]);
    expect(await attributes.readFindings([ref])).toEqual([undefined]);
  });
});
