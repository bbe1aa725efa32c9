import { describe, expect, it } from 'vitest';
import { UNKNOWN_PROFILE } from './alert.js';
import { buildCorrectionAlert } from './correction-alert.js';

const options = { apiBaseUrl: 'http://127.0.0.1:8088/' };
const entry = (effect: unknown) => ({
  id: 'agent-1:correction:f1:c1:failed:3',
  agentId: 'agent-1',
  at: 1_772_528_400_000,
  effect,
});

describe('correction alerts', () => {
  it('turns a correction outcome into an alert with the audited attempt', () => {
    const alert = buildCorrectionAlert(
      entry({
        type: 'correction.failed',
        intentId: 'f1:c1',
        findingId: 'f1',
        ruleId: 'on-queue-not-routable',
        declarationId: null,
        kind: 'set-presence',
        target: { presence: 'ON_QUEUE', definitionId: null },
        request: { method: 'PATCH', path: '/api/v2/users/agent-1/presences/purecloud', body: {} },
        status: 200,
        correlationId: null,
        attempt: 3,
        fence: 12,
        reason: 'not confirmed after 3 sends: AVAILABLE/OFF_QUEUE set by agent-client',
      }),
      UNKNOWN_PROFILE,
      options,
    );
    expect(alert).toMatchObject({ type: 'correction.failed', severity: 'critical', agentId: 'agent-1' });
    const body = JSON.parse(alert?.body ?? '{}') as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('correction.failed');
    expect(body.timestamp).toBe('2026-03-03T09:00:00.000Z');
    expect(body.data).toMatchObject({
      intentId: 'f1:c1',
      attempt: 3,
      fence: 12,
      reason: 'not confirmed after 3 sends: AVAILABLE/OFF_QUEUE set by agent-client',
      links: { agent: 'http://127.0.0.1:8088/v1/agents/agent-1' },
    });
    // Deterministic: the same entry gives the same alert.
    expect(
      buildCorrectionAlert(
        entry(JSON.parse(JSON.stringify({ type: 'correction.failed' }))),
        UNKNOWN_PROFILE,
        options,
      )?.id,
    ).toBe(alert?.id);
  });

  it('ignores intents, findings and garbage', () => {
    for (const effect of [
      { type: 'correction.intended' },
      { type: 'finding.opened' },
      { type: 'correction.sent' },
      null,
      'x',
    ]) {
      expect(buildCorrectionAlert(entry(effect), UNKNOWN_PROFILE, options)).toBeNull();
    }
  });
});
