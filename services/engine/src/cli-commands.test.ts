import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli-commands.js';
import { UsageError } from './errors.js';

describe('CLI parseArgs', () => {
  it('parses each command', () => {
    expect(parseArgs(['agent', 'u-1'])).toEqual({ name: 'agent', agentId: 'u-1' });
    expect(parseArgs(['findings'])).toEqual({ name: 'findings', limit: 100 });
    expect(parseArgs(['findings', '--rule', 'stuck-not-responding', '--limit=5'])).toEqual({
      name: 'findings',
      ruleId: 'stuck-not-responding',
      limit: 5,
    });
    const declared = parseArgs([
      'declare',
      'u-2',
      '--presence',
      'on queue',
      '--by',
      'external-wfm',
      '--ttl-ms',
      '60000',
    ]);
    expect(declared).toMatchObject({
      name: 'declare',
      agentId: 'u-2',
      body: { by: 'external-wfm', ttlMs: 60_000, presence: 'ON_QUEUE' },
    });
  });

  it('refuses bad usage with a UsageError that names the problem', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /a command is required/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['agent'], /exactly one <userId>/],
      [['agent', 'a', 'b'], /exactly one <userId>/],
      [['agent', '--verbose', 'a'], /--verbose/],
      [['findings', '--limit', '0'], /--limit must be an integer/],
      [['findings', '--limit', '0x10'], /--limit must be an integer/],
      [['findings', '--rule'], /--rule/],
      [['findings', 'extra'], /unexpected argument "extra"/],
      [['declare', '--by', 'x'], /declare takes a <userId> first/],
      [['declare', 'u-1', '--presence', 'Sleeping', '--by', 'x'], /not a system presence/],
      [['declare', 'u-1', '--colour', 'red'], /--colour/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseArgs(args), args.join(' ')).toThrow(UsageError);
      expect(() => parseArgs(args), args.join(' ')).toThrow(message);
    }
  });
});
