import { createHash } from 'node:crypto';

/**
 * What the logs call a notification channel: `ch-` and 12 hex digits of the SHA-256 of its id. A channel id is the
 * credential of its WebSocket (whoever knows it can listen), so it never goes into a log line; the reference is
 * stable, so the lines of one channel can still be followed. Pure.
 */
export function channelRef(channelId: string | undefined): string | undefined {
  if (channelId === undefined) return undefined;
  return `ch-${createHash('sha256').update(channelId).digest('hex').slice(0, 12)}`;
}

/** {@link channelRef} of the channel a notification WebSocket URL (`.../channels/<id>`) connects to. Pure. */
export function channelRefOfUrl(url: string): string | undefined {
  const id = /\/channels\/([^/?#]+)/.exec(url)?.[1] ?? url.split('/').pop();
  return channelRef(id === '' ? undefined : id);
}
