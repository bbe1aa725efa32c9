/** What `applyRedisPassword` returns. */
export interface RedisPasswordResult {
  /** The URLs, each carrying the password where one was given. New strings; the input is unchanged. */
  readonly urls: readonly string[];
  /** One line per problem, naming the variable and the URL's position, never the password. */
  readonly problems: readonly string[];
}

/**
 * Puts `password` (the `REDIS_PASSWORD` setting, possibly read from `REDIS_PASSWORD_FILE`) into every Redis URL,
 * so the URL itself can stay free of credentials (`redis://redis:6379`) while the password comes from a Docker
 * secret. A URL that already carries a password is a problem (two sources for one secret). A URL that does not
 * parse is left as it is: the caller reports it. Pure.
 */
export function applyRedisPassword(
  urls: readonly string[],
  password: string | undefined,
): RedisPasswordResult {
  if (password === undefined || password === '') return { urls: [...urls], problems: [] };
  const problems: string[] = [];
  const out = urls.map((text, i) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return text;
    }
    if (url.password !== '') {
      problems.push(`REDIS_PASSWORD: REDIS_URL item ${i + 1} already carries a password: keep one`);
      return text;
    }
    url.password = password;
    return url.toString();
  });
  return { urls: out, problems };
}
