import { connectRedis, createCommandQueue, createKeys, type RedisClient } from '@lockstep/store';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from './cli-commands.js';
import { instant, parseDeclarationCsv, sendBulkDeclaration } from './declarations.js';
import { UsageError } from './errors.js';

const NOW = Date.parse('2024-03-05T16:59:50Z');

describe('declaration CSV', () => {
  it('reads a header row, quoted cells and instants with offsets; empty cells are left out', () => {
    const csv = [
      'agentId,presence,validFrom,validUntil,reason,overridesSchedule',
      'a-1,On Queue,2024-03-05T09:00:00-08:00,2024-03-05T10:00:00-08:00,"push, Tuesday ""ready""",true',
      'a-2,,1709658000000,,,',
      '',
      'a-3,BREAK,2024-03-05T09:00:00,,,',
    ].join('\r\n');
    expect(parseDeclarationCsv(csv)).toEqual([
      {
        agentId: 'a-1',
        presence: 'On Queue',
        validFrom: Date.parse('2024-03-05T17:00:00Z'),
        validUntil: Date.parse('2024-03-05T18:00:00Z'),
        reason: 'push, Tuesday "ready"',
        overridesSchedule: true,
      },
      { agentId: 'a-2', validFrom: 1709658000000 },
      // A local time without an offset is ambiguous: kept as text, so the item is refused.
      { agentId: 'a-3', presence: 'BREAK', validFrom: '2024-03-05T09:00:00' },
    ]);
    expect(instant('yesterday')).toBe('yesterday');
  });
});

describe('lockstep declare (desired state)', () => {
  it('parses validFrom/validUntil/reason/source into a desired-state DECLARE body', () => {
    expect(
      parseArgs(
        [
          'declare',
          'u-1',
          '--presence',
          'on queue',
          '--source',
          'external-wfm',
          '--valid-from',
          '2024-03-05T09:00:00-08:00',
          '--valid-until',
          '2024-03-05T10:00:00-08:00',
          '--reason',
          'Tuesday ready push',
        ],
        NOW,
      ),
    ).toEqual({
      name: 'declare',
      agentId: 'u-1',
      body: {
        presence: 'ON_QUEUE',
        by: 'external-wfm',
        validFrom: Date.parse('2024-03-05T17:00:00Z'),
        validUntil: Date.parse('2024-03-05T18:00:00Z'),
        reason: 'Tuesday ready push',
        at: NOW,
      },
    });
    expect(
      parseArgs(
        ['declare', 'u-1', '--presence', 'BREAK', '--by', 'sup-1', '--reason', 'x', '--ttl-ms', '60000'],
        NOW,
      ),
    ).toMatchObject({
      body: { validFrom: NOW, ttlMs: 60_000 },
    });
    const bad: Array<[string[], RegExp]> = [
      [
        ['declare', 'u-1', '--presence', 'ON_QUEUE', '--by', 'a', '--valid-from', '09:00'],
        /not an ISO-8601 instant/,
      ],
      [['declare', 'u-1', '--presence', 'ON_QUEUE', '--by', 'a', '--source', 'b'], /--by or --source/],
      [
        ['declare', 'u-1', '--presence', 'ON_QUEUE', '--by', 'a', '--reason', 'r'],
        /give validUntil or ttlMs/,
      ],
      [['declare-bulk', '--by', 'a'], /--file/],
    ];
    for (const [args] of bad) expect(() => parseArgs(args, NOW), args.join(' ')).toThrow(UsageError);
    for (const [args, message] of bad) expect(() => parseArgs(args, NOW), args.join(' ')).toThrow(message);
  });
});

describe('bulk declaration through the command stream', () => {
  let server: RedisServer;
  let redis: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    redis = connectRedis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  it('sends one declare command per valid agent and reports each item; a bad item refuses only itself', async () => {
    const keys = createKeys('bulktest:');
    const queue = createCommandQueue({ redis, keys });
    await queue.ensureGroup('g');
    const results = await sendBulkDeclaration(
      queue,
      {
        by: 'external-wfm',
        presence: 'ON_QUEUE',
        validFrom: NOW + 10_000,
        ttlMs: 3_600_000,
        declarations: [
          { agentId: 'a-1' },
          { agentId: 'a-2', presence: 'Nap' },
          { agentId: 'a-3', reason: 'seat 3' },
        ],
      },
      NOW,
    );
    expect(results.map((r) => [r.index, r.agentId, r.status])).toEqual([
      [0, 'a-1', 'sent'],
      [1, 'a-2', 'refused'],
      [2, 'a-3', 'sent'],
    ]);
    const read = await queue.read('g', 'c', 10, 0);
    expect(read.map((c) => [c.agentId, c.type, c.body])).toEqual([
      [
        'a-1',
        'declare',
        { by: 'external-wfm', presence: 'ON_QUEUE', validFrom: NOW + 10_000, ttlMs: 3_600_000, at: NOW },
      ],
      [
        'a-3',
        'declare',
        {
          by: 'external-wfm',
          presence: 'ON_QUEUE',
          validFrom: NOW + 10_000,
          ttlMs: 3_600_000,
          reason: 'seat 3',
          at: NOW,
        },
      ],
    ]);
  });
});
