import { describe, expect, it } from 'vitest';
import { isSystemTopic, parseTopic } from './topics.js';

const U = '9ed7d9f6-0c59-4360-ac54-40dd35eb9c2f';

describe('parseTopic', () => {
  it('accepts per-user topics case-insensitively and lower-cases the expansion', () => {
    const t = parseTopic(`v2.users.${U}.routingStatus`);
    expect(t).toEqual({ ok: true, expanded: [`v2.users.${U}.routingstatus`], wfmPermissions: [] });
    expect(parseTopic(`V2.USERS.${U}.PRESENCE`).ok).toBe(true);
    expect(parseTopic(`v2.users.${U}.conversations.calls`).ok).toBe(true);
  });

  it('expands combined topics and keeps order without duplicates', () => {
    const t = parseTopic(`v2.users.${U}?presence&routingStatus&presence&station`);
    expect(t.ok && t.expanded).toEqual([
      `v2.users.${U}.presence`,
      `v2.users.${U}.routingstatus`,
      `v2.users.${U}.station`,
    ]);
  });

  it('rejects combined topics over 200 characters and with unknown parts', () => {
    const long = `v2.users.${U}?${Array.from({ length: 20 }, () => 'presence').join('&')}`;
    expect(long.length).toBeGreaterThan(200);
    expect(parseTopic(long).ok).toBe(false);
    expect(parseTopic(`v2.users.${U}?presence&bogus`).ok).toBe(false);
  });

  it('accepts MU and queue topics and flags WFM permissions', () => {
    const mu = parseTopic('v2.workforcemanagement.managementunits.mu-1.adherence');
    expect(mu.ok && mu.wfmPermissions).toEqual(['wfm:realtimeAdherence:view']);
    const sched = parseTopic('v2.workforcemanagement.managementunits.mu-1.agentschedules.changed');
    expect(sched.ok && sched.wfmPermissions).toEqual(['wfm:schedule:view']);
    expect(parseTopic('v2.routing.queues.q1.users')).toMatchObject({ ok: true, wfmPermissions: [] });
    const user = parseTopic(`v2.users.${U}?presence&workforcemanagement.timeoffrequests`);
    expect(user.ok && user.wfmPermissions).toEqual(['wfm:timeOffRequest:view']);
  });

  it('rejects unknown suffixes, prefixes and malformed ids', () => {
    for (const bad of [
      '',
      `v2.users.${U}.nonsense`,
      `v2.users.${U}`,
      'v2.users..presence',
      `v3.users.${U}.presence`,
      'v2.routing.queues.q1.members',
      'v2.users.a b.presence',
    ]) {
      expect(parseTopic(bad).ok, bad).toBe(false);
    }
  });

  it('recognises system topics', () => {
    expect(isSystemTopic('v2.system.socket_closing')).toBe(true);
    expect(isSystemTopic(`v2.users.${U}.presence`)).toBe(false);
  });
});
