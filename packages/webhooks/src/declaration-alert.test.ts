import { describe, expect, it } from 'vitest';
import { UNKNOWN_PROFILE } from './alert.js';
import { buildDeclarationAlert, buildOutboxAlert } from './declaration-alert.js';

const entry = (effect: unknown) => ({
  id: 'agent-1:7:0',
  agentId: 'agent-1',
  at: Date.UTC(2024, 2, 5, 17, 0, 30),
  effect,
});
const declaration = {
  agentId: 'agent-1',
  id: 'agent-1:declared:1709657990000',
  presence: 'ON_QUEUE',
  definitionId: null,
  validFrom: Date.UTC(2024, 2, 5, 17, 0, 0),
  validUntil: Date.UTC(2024, 2, 5, 18, 0, 0),
  reason: 'Tuesday ready push',
  source: 'external-wfm',
  declaredAt: 1709657990000,
  overridesSchedule: false,
  outcome: {
    status: 'refused',
    since: Date.UTC(2024, 2, 5, 17, 0, 0),
    why: 'no station associated',
    by: null,
  },
  attempts: 0,
  reverts: 0,
};
const options = { apiBaseUrl: 'https://lockstep.example/' };

describe('declaration alerts', () => {
  it('a refused declaration becomes a warning with the reason and the outcome text', () => {
    const alert = buildOutboxAlert(
      entry({ type: 'declaration.refused', declaration }),
      UNKNOWN_PROFILE,
      options,
    );
    expect(alert).toMatchObject({
      type: 'declaration.refused',
      agentId: 'agent-1',
      severity: 'warning',
      ruleId: null,
    });
    const body = JSON.parse(alert?.body ?? '{}') as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('declaration.refused');
    expect(body.timestamp).toBe('2024-03-05T17:00:30.000Z');
    expect(body.data).toMatchObject({
      declarationId: declaration.id,
      presence: 'ON_QUEUE',
      validFrom: '2024-03-05T17:00:00.000Z',
      outcome: {
        status: 'refused',
        why: 'no station associated',
        text: 'lockstep will not apply the declared state until what makes it unsafe is fixed',
      },
      links: { agent: 'https://lockstep.example/v1/agents/agent-1' },
    });
  });

  it('a deliberate revert is info, a fight is a warning; the same entry gives the same alert id', () => {
    const deliberate = {
      ...declaration,
      outcome: { ...declaration.outcome, status: 'reverted-by', by: 'PURECLOUD' },
    };
    const fought = { ...declaration, outcome: { ...declaration.outcome, status: 'pending' } };
    const a = buildDeclarationAlert(
      entry({ type: 'declaration.reverted', declaration: deliberate }),
      UNKNOWN_PROFILE,
      options,
    );
    const b = buildDeclarationAlert(
      entry({ type: 'declaration.reverted', declaration: fought }),
      UNKNOWN_PROFILE,
      options,
    );
    expect([a?.severity, b?.severity]).toEqual(['info', 'warning']);
    expect(a?.id).toBe(b?.id);
  });

  it('correction intents and malformed declarations are not alerted', () => {
    expect(
      buildOutboxAlert(entry({ type: 'correction.intended', intent: {} }), UNKNOWN_PROFILE, options),
    ).toBeNull();
    expect(
      buildOutboxAlert(
        entry({ type: 'declaration.applied', declaration: { id: 7 } }),
        UNKNOWN_PROFILE,
        options,
      ),
    ).toBeNull();
  });
});
