/**
 * Splits `REDIS_URL` (one URL, or several comma-separated node URLs for Redis Cluster) and checks each is a
 * `redis://` or `rediss://` URL. Problems name the item by position, never its text (it may carry a password).
 * Pure.
 */
export function parseRedisUrls(text: string, problems: string[]): string[] {
  const urls = text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  for (const [i, u] of urls.entries()) {
    let ok: boolean;
    try {
      const url = new URL(u);
      ok = url.protocol === 'redis:' || url.protocol === 'rediss:';
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`REDIS_URL: item ${i + 1} is not a redis:// or rediss:// URL`);
  }
  return urls;
}
