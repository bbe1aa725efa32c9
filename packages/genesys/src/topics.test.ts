import { describe, expect, it } from 'vitest';
import { agentUnit, combineTopics, managementUnitUnit, queueUnit, topicUnitKey } from './topics.js';

const A = '9ed7d9f6-0c59-4360-ac54-40dd35eb9c2f';

describe('topics', () => {
  it('builds combined per-agent topics with WFM apart', () => {
    const u = agentUnit(A);
    expect(u.key).toBe(`agent:${A}`);
    expect(u.core).toEqual([`v2.users.${A}?presence&routingStatus&station&conversationsummary&outofoffice`]);
    expect(u.wfm).toEqual([
      `v2.users.${A}?workforcemanagement.adherence&workforcemanagement.schedules&workforcemanagement.timeoffrequests`,
    ]);
    for (const t of [...u.core, ...u.wfm]) expect(t.length).toBeLessThanOrEqual(200);
  });

  it('honours conversation topic, activity, wfm and combine options', () => {
    const u = agentUnit('a1', {
      conversationTopic: 'conversations',
      activity: true,
      wfm: false,
      combine: false,
    });
    expect(u.core).toEqual([
      'v2.users.a1.presence',
      'v2.users.a1.routingStatus',
      'v2.users.a1.station',
      'v2.users.a1.conversations',
      'v2.users.a1.outofoffice',
      'v2.users.a1.activity',
    ]);
    expect(u.wfm).toEqual([]);
  });

  it('splits combined topics to stay within the length limit', () => {
    const suffixes = Array.from({ length: 30 }, (_, i) => `suffix${i}`);
    const topics = combineTopics('v2.users.x', suffixes, 60);
    expect(topics.length).toBeGreaterThan(1);
    for (const t of topics) expect(t.length).toBeLessThanOrEqual(60);
    const back = topics.flatMap((t) =>
      t.includes('?') ? t.split('?')[1]!.split('&') : [t.split('.').pop()!],
    );
    expect(back).toEqual(suffixes);
    expect(() => combineTopics('v2.users.x', ['y'.repeat(60)], 60)).toThrow(/longer than 60/);
  });

  it('builds MU and queue units', () => {
    expect(managementUnitUnit('mu1').wfm).toEqual([
      'v2.workforcemanagement.managementunits.mu1?adherence&agentschedules.changed',
    ]);
    expect(queueUnit('q1').core).toEqual(['v2.routing.queues.q1.users']);
  });

  it('finds the unit a topic belongs to in every form', () => {
    expect(topicUnitKey(`v2.users.${A}?presence&station`)).toBe(`agent:${A}`);
    expect(topicUnitKey(`V2.USERS.${A.toUpperCase()}.presence`)).toBe(`agent:${A}`);
    expect(topicUnitKey('v2.workforcemanagement.managementunits.mu1.adherence')).toBe('managementUnit:mu1');
    expect(topicUnitKey('v2.routing.queues.q1.users')).toBe('queue:q1');
    expect(topicUnitKey('channel.metadata')).toBeUndefined();
  });
});
