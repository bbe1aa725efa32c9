import { readFileSync } from 'node:fs';

/** Longest secret file read (a secret is a short string; anything larger is a mistake). */
const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretFilesResult {
  /** The environment with each `NAME` taken from `NAME_FILE` where that was set. A new object. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One line per problem (both set, unreadable file, empty file), naming the variable, never the secret. */
  readonly problems: readonly string[];
}

/**
 * Resolves Docker-secret style variables: for each of `names`, when `NAME_FILE` is set, `NAME` becomes the
 * content of that file without its trailing line break. Setting both `NAME` and `NAME_FILE` is a problem, as is
 * a file that cannot be read or is empty. Reads files; otherwise pure. The caller reports `problems` together
 * with its other configuration problems.
 */
export function resolveSecretFiles(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): SecretFilesResult {
  const out: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const file = env[`${name}_FILE`]?.trim();
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${name}_FILE are both set: keep one`);
      continue;
    }
    let text: string;
    try {
      const bytes = readFileSync(file);
      if (bytes.length > MAX_SECRET_BYTES) {
        problems.push(`${name}_FILE: ${file} is larger than ${MAX_SECRET_BYTES} bytes`);
        continue;
      }
      text = bytes.toString('utf8').replace(/\r?\n$/u, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${file} (${code})`);
      continue;
    }
    if (text === '') {
      problems.push(`${name}_FILE: ${file} is empty`);
      continue;
    }
    out[name] = text;
  }
  return { env: out, problems };
}
