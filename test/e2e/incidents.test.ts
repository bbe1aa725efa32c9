/**
 * Incidents end to end: the simulator takes the station of five agents that share a queue (inc-west) while they
 * are On Queue; the engine (in this process, real sockets, real redis-server) opens an `on-queue-without-station`
 * finding for each, and its incident grouper opens ONE incident whose common cause names that queue, with the
 * unaffected agents of the same division and main queue as the baseline. Giving the stations back resolves it.
 */
import { createIncidentStore, createKeys, createOutbox } from '@lockstep/store';
import { pollUntil } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Stack, startStack } from '../support/stack.js';

const RULE = 'on-queue-without-station';
const FAILING = ['west-1', 'west-2', 'west-3', 'west-4', 'west-5'];
const keys = createKeys('e2e:');

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    scenario: fixture('incidents-world.json'),
    engineEnv: {
      LOCKSTEP_AGENTS: 'queue:inc-main,queue:inc-west',
      LOCKSTEP_POLICY_FILE: fixture('rules-policy.json'),
      LOCKSTEP_RATE_LIMIT_PER_MINUTE: '3000',
      LOCKSTEP_INCIDENT_MIN_AGENTS: '4',
      LOCKSTEP_INCIDENT_WINDOW_MS: '60000',
      LOCKSTEP_INCIDENT_INTERVAL_MS: '500',
    },
  });
  // Every watched agent is in the baseline before anything fails.
  await pollUntil(async () => (await stack.redis.hlen(keys.agentAttributes())) === 12, {
    timeoutMs: 20_000,
    what: 'the attributes of the 12 watched agents',
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('incidents against the simulator', () => {
  it('five agents of one queue losing their station make ONE incident that names the queue', async () => {
    const incidents = createIncidentStore({ redis: stack.redis, keys });
    const outbox = createOutbox({ redis: stack.redis, keys, group: 'e2e-reader' });
    await outbox.ensureGroup('all');
    for (const agentId of FAILING) await stack.act({ type: 'disassociate-station', agentId });

    const opened = await pollUntil(
      async () => {
        const page = await incidents.listIncidents({ status: 'open' });
        const incident = page.incidents[0] as
          | { members: Array<{ agentId: string }>; commonCause: Array<{ id: string; text: string }> }
          | undefined;
        return incident !== undefined && incident.members.length === FAILING.length ? page : undefined;
      },
      { timeoutMs: 20_000, what: 'one incident with the five agents' },
    );
    expect(opened.incidents).toHaveLength(1);
    const incident = opened.incidents[0] as unknown as {
      ruleId: string;
      members: Array<{ agentId: string; attributes: { queueIds: string[] } }>;
      commonCause: Array<{ id: string; text: string }>;
    };
    expect(incident.ruleId).toBe(RULE);
    expect(incident.members.map((m) => m.agentId).sort()).toEqual(FAILING);
    // What the five share and the others mostly do not: inc-west (6 of the 12 watched agents are in it).
    expect(incident.commonCause[0]).toMatchObject({
      id: 'queue=inc-west',
      text: '5/5 are members of queue inc-west (baseline 50 %)',
    });
    // What every watched agent shares explains nothing.
    const ids = incident.commonCause.map((c) => c.id);
    expect(ids).not.toContain('queue=inc-main');
    expect(ids).not.toContain('division=e2e-incidents-division');
    expect(incident.members[0]?.attributes.queueIds).toEqual(['inc-main', 'inc-west']);

    const published = async () =>
      (await outbox.readGroup('reader', 500, 0)).map((m) => m.effect as { type: string });
    // The grouper stores the incident, then publishes its entry: wait for the entry.
    // A group read hands each entry out once: keep what every poll read.
    const first: Array<{ type: string }> = [];
    await pollUntil(
      async () => {
        first.push(...(await published()));
        return first.some((e) => e.type === 'incident.opened');
      },
      { timeoutMs: 10_000, what: 'the incident.opened entry in the outbox' },
    );
    // With K = 4 the fifth agent may have joined in a later pass (an update), but the incident opened once.
    const changes = first.filter((e) => e.type.startsWith('incident.')).map((e) => e.type);
    expect(changes[0]).toBe('incident.opened');
    expect(changes.filter((t) => t === 'incident.opened')).toHaveLength(1);
    expect(changes.filter((t) => t !== 'incident.opened' && t !== 'incident.updated')).toEqual([]);
    expect(first.filter((e) => e.type === 'finding.opened')).toHaveLength(FAILING.length);

    for (const agentId of FAILING) await stack.act({ type: 'associate-station', agentId });
    await pollUntil(
      async () => (await incidents.listIncidents({ status: 'resolved' })).incidents.length === 1,
      { timeoutMs: 20_000, what: 'the incident to resolve' },
    );
    expect((await incidents.listIncidents({ status: 'open' })).incidents).toEqual([]);
    const later = (await published()).filter((e) => e.type.startsWith('incident.')).map((e) => e.type);
    expect(later[later.length - 1]).toBe('incident.resolved');
    expect(later).not.toContain('incident.opened');
  }, 60_000);
});
