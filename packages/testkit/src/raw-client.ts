import WebSocket from 'ws';

/** Minimal raw client of the notification surface, used by benchmarks to measure the ceiling without lockstep code. */
export interface RawChannel {
  readonly id: string;
  readonly socket: WebSocket;
}

export async function token(baseUrl: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

export async function api<T>(
  baseUrl: string,
  bearer: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Lists every user id through the paged users endpoint. */
export async function allUserIds(baseUrl: string, bearer: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const listing = await api<{ entities: { id: string }[]; pageCount: number }>(
      baseUrl,
      bearer,
      'GET',
      `/api/v2/users?pageSize=500&pageNumber=${page}`,
    );
    ids.push(...listing.entities.map((u) => u.id));
    if (page >= listing.pageCount) return ids;
  }
}

/** Opens ceil(topics/1000) channels, subscribes the topics and connects one socket each. */
export async function openChannels(
  baseUrl: string,
  bearer: string,
  topics: string[],
  onMessage: (data: WebSocket.RawData) => void,
): Promise<RawChannel[]> {
  const channels: RawChannel[] = [];
  for (let i = 0; i < topics.length; i += 1000) {
    const ch = await api<{ id: string; connectUri: string }>(
      baseUrl,
      bearer,
      'POST',
      '/api/v2/notifications/channels',
    );
    await api(
      baseUrl,
      bearer,
      'PUT',
      `/api/v2/notifications/channels/${ch.id}/subscriptions`,
      topics.slice(i, i + 1000).map((id) => ({ id })),
    );
    const socket = new WebSocket(ch.connectUri);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.on('message', onMessage);
    channels.push({ id: ch.id, socket });
  }
  return channels;
}
