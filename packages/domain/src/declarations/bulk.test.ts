import { describe, expect, test } from 'vitest';
import { EventError } from '../errors.js';
import { parseBulkDeclaration } from './bulk.js';

const NOW = 1_709_657_990_000;
const FROM = NOW + 10_000;

describe('bulk declaration', () => {
  test('each item takes the bulk defaults; a bad item refuses only itself; an agent named twice once', () => {
    const result = parseBulkDeclaration(
      {
        by: 'external-wfm',
        presence: 'On Queue',
        validFrom: FROM,
        validUntil: FROM + 3_600_000,
        reason: 'Tuesday ready push',
        declarations: [
          { agentId: 'a-1' },
          { agentId: 'a-2', presence: 'Lunch-ish' },
          { agentId: 'a-3', validUntil: FROM - 1 },
          { agentId: 'a-1' },
          { agentId: 'bad id!' },
          { agentId: 'a-4', presence: 'BREAK', overridesSchedule: true, declarationId: 'wfm-77' },
        ],
      },
      NOW,
    );
    expect(result.accepted).toEqual([
      {
        index: 0,
        agentId: 'a-1',
        body: {
          by: 'external-wfm',
          presence: 'ON_QUEUE',
          validFrom: FROM,
          validUntil: FROM + 3_600_000,
          reason: 'Tuesday ready push',
          at: NOW,
        },
      },
      {
        index: 5,
        agentId: 'a-4',
        body: expect.objectContaining({
          presence: 'BREAK',
          overridesSchedule: true,
          declarationId: 'wfm-77',
        }),
      },
    ]);
    expect(result.refused.map((r) => [r.index, r.agentId, r.problems.map((p) => p.path).join(',')])).toEqual([
      [1, 'a-2', 'presence'],
      [2, 'a-3', 'validUntil'],
      [3, 'a-1', 'agentId'],
      [4, null, 'agentId'],
    ]);
    expect(result.refused[2]?.problems[0]?.message).toBe('agent declared twice in this bulk');
  });

  test('validFrom defaults to the bulk time; the bulk itself must be a list of 1 to 1,000', () => {
    const one = parseBulkDeclaration(
      { by: 'ops', presence: 'ON_QUEUE', ttlMs: 60_000, declarations: [{ agentId: 'a' }] },
      NOW,
    );
    expect(one.accepted[0]?.body).toMatchObject({ validFrom: NOW, at: NOW, ttlMs: 60_000 });
    const many = Array.from({ length: 1_001 }, (_, i) => ({ agentId: `a-${i}` }));
    expect(() => parseBulkDeclaration({ by: 'ops', declarations: many }, NOW)).toThrow(EventError);
    expect(() => parseBulkDeclaration({ by: 'ops', declarations: [] }, NOW)).toThrow(/between 1 and 1000/);
    expect(() => parseBulkDeclaration([], NOW)).toThrow(/is an object/);
    const full = Array.from({ length: 1_000 }, (_, i) => ({ agentId: `a-${i}` }));
    const all = parseBulkDeclaration(
      { by: 'ops', presence: 'ON_QUEUE', ttlMs: 60_000, declarations: full },
      NOW,
    );
    expect([all.accepted.length, all.refused.length]).toEqual([1_000, 0]);
  });
});
