import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveSecretFiles } from './secret-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lockstep-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('secrets from files', () => {
  test('NAME_FILE sets NAME from the file, without its trailing line break', () => {
    const { env, problems } = resolveSecretFiles(
      { GENESYS_CLIENT_SECRET_FILE: file('client-secret', 's3cr3t value\n'), OTHER: 'kept' },
      ['GENESYS_CLIENT_SECRET', 'REDIS_PASSWORD'],
    );
    expect(problems).toEqual([]);
    expect(env['GENESYS_CLIENT_SECRET']).toBe('s3cr3t value');
    expect(env['OTHER']).toBe('kept');
    expect(env['REDIS_PASSWORD']).toBeUndefined();
  });

  test('every problem is reported at once, naming the variable and never the secret', () => {
    const { problems } = resolveSecretFiles(
      {
        A: 'inline-secret',
        A_FILE: file('a', 'file-secret'),
        B_FILE: join(dir, 'missing'),
        C_FILE: file('c', '\n'),
      },
      ['A', 'B', 'C'],
    );
    expect(problems).toEqual([
      'A and A_FILE are both set: keep one',
      `B_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
      `C_FILE: ${join(dir, 'c')} is empty`,
    ]);
    expect(problems.join('\n')).not.toMatch(/inline-secret|file-secret/);
  });

  test('the input environment is left unchanged', () => {
    const input = { D_FILE: file('d', 'x') };
    resolveSecretFiles(input, ['D']);
    expect(input).toEqual({ D_FILE: join(dir, 'd') });
  });
});
