import { describe, expect, it } from 'vitest';
import { parseCsv, renderTable } from './cli-table.js';

describe('parseCsv', () => {
  it('reads a header row, quoted fields with commas, doubled quotes and CRLF line ends', () => {
    const text =
      'agentId,presence,reason\r\na1,ON_QUEUE,"shift, start"\r\n"a2",BREAK,"said ""later"""\r\n\r\n';
    expect(parseCsv(text)).toEqual([
      { agentId: 'a1', presence: 'ON_QUEUE', reason: 'shift, start' },
      { agentId: 'a2', presence: 'BREAK', reason: 'said "later"' },
    ]);
  });

  it('fills missing trailing fields with empty text and reads a last row without a newline', () => {
    expect(parseCsv('a,b,c\n1\n2,3,4')).toEqual([
      { a: '1', b: '', c: '' },
      { a: '2', b: '3', c: '4' },
    ]);
    expect(parseCsv('')).toEqual([]);
  });
});

describe('renderTable', () => {
  it('aligns columns under upper-case headers and shows missing values as -', () => {
    expect(
      renderTable(
        ['agent', 'presence'],
        [
          ['a-long-id', null],
          ['b', 'ON_QUEUE'],
        ],
      ),
    ).toBe('AGENT      PRESENCE\na-long-id  -\nb          ON_QUEUE\n');
  });
});
