import { describe, expect, it } from 'vitest';
import {
  alertIdFor,
  buildFindingAlert,
  buildTestAlert,
  MAX_PAYLOAD_BYTES,
  UNKNOWN_PROFILE,
} from './alert.js';

const finding = {
  id: 'agent-1:station-dead:1000',
  agentId: 'agent-1',
  ruleId: 'station-dead',
  severity: 'warning',
  action: 'correct',
  since: 1_000,
  openedAt: 121_000,
  updatedAt: 121_000,
  summary: 'station reported dead while ON_QUEUE',
  evidence: [{ name: 'presence', value: 'ON_QUEUE', at: 1_000 }],
  correction: 'deferred',
};
const entry = (type: string, f: object = finding, id = 'agent-1:7:0') => ({
  id,
  agentId: 'agent-1',
  at: 121_000,
  effect: { type, finding: f },
});
const options = { apiBaseUrl: 'https://lockstep.example/' };

describe('buildFindingAlert', () => {
  it('builds {type, timestamp, data} with ids, name, facts, duration, action and the admin API link', () => {
    const alert = buildFindingAlert(entry('finding.opened'), { ...UNKNOWN_PROFILE, name: 'Ada' }, options);
    expect(alert).toMatchObject({ type: 'finding.opened', agentId: 'agent-1', severity: 'warning' });
    const payload = JSON.parse(alert?.body ?? '{}') as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(Object.keys(payload)).toEqual(['type', 'timestamp', 'data']);
    expect(payload.timestamp).toBe('1970-01-01T00:02:01.000Z');
    expect(payload.data).toMatchObject({
      alertId: alert?.id,
      findingId: finding.id,
      agentId: 'agent-1',
      agentName: 'Ada',
      ruleId: 'station-dead',
      summary: finding.summary,
      evidence: finding.evidence,
      durationSeconds: 120,
      correction: { status: 'deferred' },
      links: { agent: 'https://lockstep.example/v1/agents/agent-1' },
    });
  });

  it('is deterministic: a replayed entry gives the same id and bytes; another entry another id', () => {
    const a = buildFindingAlert(entry('finding.opened'), UNKNOWN_PROFILE, options);
    const b = buildFindingAlert(entry('finding.opened'), UNKNOWN_PROFILE, options);
    const c = buildFindingAlert(entry('finding.resolved', finding, 'agent-1:8:0'), UNKNOWN_PROFILE, options);
    expect(b).toEqual(a);
    expect(a?.id).toBe(alertIdFor('outbox:agent-1:7:0'));
    expect(c?.id).not.toBe(a?.id);
    expect(c?.type).toBe('finding.resolved');
  });

  it('alerts an update only when the flap guard escalates it, once per finding; ignores correction intents and garbage', () => {
    expect(buildFindingAlert(entry('finding.updated'), UNKNOWN_PROFILE, options)).toBeNull();
    const critical = { ...finding, severity: 'critical' };
    expect(buildFindingAlert(entry('finding.updated', critical), UNKNOWN_PROFILE, options)).toBeNull();
    const escalated = { ...critical, correction: 'suppressed' };
    const first = buildFindingAlert(
      entry('finding.updated', escalated, 'agent-1:9:0'),
      UNKNOWN_PROFILE,
      options,
    );
    const again = buildFindingAlert(
      entry('finding.updated', escalated, 'agent-1:12:0'),
      UNKNOWN_PROFILE,
      options,
    );
    expect(first?.type).toBe('finding.escalated');
    expect(again?.id).toBe(first?.id);
    expect(
      buildFindingAlert({ ...entry('x'), effect: { type: 'correction.intended' } }, UNKNOWN_PROFILE, options),
    ).toBeNull();
    expect(buildFindingAlert({ ...entry('x'), effect: 'not json' }, UNKNOWN_PROFILE, options)).toBeNull();
  });

  it('keeps the payload within 20 KB by cutting evidence', () => {
    const evidence = Array.from({ length: 500 }, (_, i) => ({
      name: `fact-${i}`,
      value: 'x'.repeat(100),
      at: i,
    }));
    const alert = buildFindingAlert(
      entry('finding.opened', { ...finding, evidence }),
      UNKNOWN_PROFILE,
      options,
    );
    const size = Buffer.byteLength(alert?.body ?? '');
    expect(size).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(size).toBeGreaterThan(MAX_PAYLOAD_BYTES - 300);
    const data = (JSON.parse(alert?.body ?? '{}') as { data: { truncated: boolean; evidence: unknown[] } })
      .data;
    expect(data.truncated).toBe(true);
    expect(data.evidence.length).toBeLessThan(500);
  });
});

describe('buildTestAlert', () => {
  it('makes a webhook.test system alert per request', () => {
    const a = buildTestAlert('wh_1', 'r1', 0);
    expect(a).toMatchObject({ type: 'webhook.test', agentId: null });
    expect(JSON.parse(a.body)).toMatchObject({
      type: 'webhook.test',
      data: { subscriptionId: 'wh_1', alertId: a.id },
    });
    expect(buildTestAlert('wh_1', 'r2', 0).id).not.toBe(a.id);
  });
});
