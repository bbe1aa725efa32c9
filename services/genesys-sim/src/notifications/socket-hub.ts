import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { errorBody } from '../http/errors.js';
import type { Channel, ChannelConnection, ChannelRegistry } from './channel-registry.js';
import type { DeliveryStats } from './stats.js';

/** Frames of the `channel.metadata` topic (reference §2.4), serialised once. */
const HEARTBEAT = JSON.stringify({
  topicName: 'channel.metadata',
  eventBody: { message: 'WebSocket Heartbeat' },
});
const PONG = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });

export interface SocketHubOptions {
  readonly registry: ChannelRegistry;
  readonly stats: DeliveryStats;
  readonly logger: Logger;
  readonly heartbeatMs: number;
  readonly socketClosingAfterMs: number;
  readonly maxBufferedBytes: number;
}

export interface SocketHub {
  /** Handles an HTTP upgrade; answers 404 (ErrorBody) for anything but a live `/channels/{id}`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Writes one serialised event frame to a channel's socket, if it can take it. Hot path. */
  send(channel: Channel, frame: string): void;
  /** Silences sockets: no more writes (heartbeats included), pings ignored, TCP left open. Returns how many. */
  kill(channelId?: string): number;
  /** Writes raw text frames to live sockets (the `garbage` fault). Returns how many sockets. */
  inject(frames: readonly string[], channelId?: string): number;
  /** Sends `v2.system.socket_closing`, then closes after `closeAfterMs`. Returns how many sockets. */
  warnClosing(channelId?: string, closeAfterMs?: number): number;
  /** Stops heartbeats for a channel (or all) until `resumeHeartbeats(key)`. */
  stopHeartbeats(key: string, channelId?: string): void;
  resumeHeartbeats(key: string): void;
  /** Open sockets (silenced ones included). */
  openSockets(): number;
  start(): void;
  /** Terminates every socket and timer. Idempotent. */
  close(): Promise<void>;
}

interface Conn extends ChannelConnection {
  readonly ws: WebSocket;
  readonly channel: Channel;
  silent: boolean;
  closingTimer: NodeJS.Timeout | undefined;
}

/** Creates the WebSocket side of the notification service (`ws` in `noServer` mode). */
/** How long a shutdown waits for clients to answer the close frame before cutting their sockets. */
const CLOSE_HANDSHAKE_MS = 1_000;

export function createSocketHub(opts: SocketHubOptions): SocketHub {
  const { registry, stats, logger } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, autoPong: false });
  const conns = new Set<Conn>();
  const heartbeatStops = new Map<string, string | undefined>();
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const write = (conn: Conn, frame: string) => {
    conn.ws.send(frame);
  };

  const reject = (socket: Duplex, status: number, message: string) => {
    stats.upgradesRejected++;
    const contextId = randomUUID();
    const body = JSON.stringify(errorBody(status, 'not.found', message, contextId));
    socket.end(
      `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
        'content-type: application/json\r\n' +
        `inin-correlation-id: ${contextId}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'connection: close\r\n\r\n' +
        body,
      () => socket.destroy(),
    );
  };

  const attach = (ws: WebSocket, channel: Channel) => {
    const previous = channel.connection;
    const conn: Conn = {
      ws,
      channel,
      silent: false,
      closingTimer: undefined,
      end(code, reason) {
        if (conn.closingTimer) clearTimeout(conn.closingTimer);
        // A silenced socket dies without a close frame, as a dead peer would.
        if (conn.silent) ws.terminate();
        else ws.close(code, reason);
      },
    };
    channel.connection = conn;
    registry.touch(channel);
    conns.add(conn);
    stats.socketsOpened++;
    // One socket per channel: the new one wins (reference §2.3).
    previous?.end(1000, 'Another WebSocket connected to this channel');
    ws.on('message', (data, isBinary) => {
      if (conn.silent || isBinary) return;
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return; // unknown frames are ignored
      }
      if ((msg as { message?: unknown } | null)?.message === 'ping') {
        write(conn, PONG);
        stats.pongsSent++;
      }
    });
    ws.on('ping', (data) => {
      if (!conn.silent) ws.pong(data);
    });
    ws.on('error', (err) => logger.debug({ err, channelId: channel.id }, 'socket error'));
    ws.on('close', () => {
      if (conn.closingTimer) clearTimeout(conn.closingTimer);
      conns.delete(conn);
      stats.socketsClosed++;
      if (channel.connection === conn) channel.connection = undefined;
    });
    logger.debug({ channelId: channel.id }, 'socket connected');
  };

  const matching = (channelId?: string) =>
    [...conns].filter((c) => channelId === undefined || c.channel.id === channelId);

  const heartbeatStopped = (channelId: string) => {
    for (const target of heartbeatStops.values())
      if (target === undefined || target === channelId) return true;
    return false;
  };

  registry.onRemove((channel, reason) => {
    channel.connection?.end(1000, reason === 'expired' ? 'Channel expired' : 'Channel removed');
  });

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://sim');
      const m = /^\/channels\/([^/]+)$/.exec(url.pathname);
      const channel = m?.[1] ? registry.get(decodeURIComponent(m[1])) : undefined;
      if (closed || !channel) {
        reject(socket, 404, 'The requested channel was not found.');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        // The channel may have expired or been evicted while the handshake ran.
        if (registry.get(channel.id) !== channel) {
          ws.close(1000, 'Channel expired');
          return;
        }
        attach(ws, channel);
      });
    },
    send(channel, frame) {
      const conn = channel.connection as Conn | undefined;
      if (!conn) {
        stats.dropped.noSocket++;
        return;
      }
      if (conn.silent) {
        stats.dropped.silentSocket++;
        return;
      }
      if (conn.ws.readyState !== 1) {
        stats.dropped.noSocket++;
        return;
      }
      if (conn.ws.bufferedAmount > opts.maxBufferedBytes) {
        stats.dropped.backpressure++;
        return;
      }
      conn.ws.send(frame);
      stats.eventsDelivered++;
    },
    kill(channelId) {
      const hit = matching(channelId).filter((c) => !c.silent);
      for (const c of hit) {
        c.silent = true;
        if (c.closingTimer) clearTimeout(c.closingTimer);
      }
      return hit.length;
    },
    inject(frames, channelId) {
      const hit = matching(channelId).filter((c) => !c.silent && c.ws.readyState === 1);
      for (const c of hit) for (const frame of frames) write(c, frame);
      return hit.length;
    },
    warnClosing(channelId, closeAfterMs = opts.socketClosingAfterMs) {
      const hit = matching(channelId).filter((c) => !c.silent);
      for (const c of hit) {
        write(
          c,
          JSON.stringify({
            topicName: 'v2.system.socket_closing',
            version: '2',
            eventBody: { message: 'WebSocket closing for maintenance', channelId: c.channel.id },
            metadata: { CorrelationId: randomUUID() },
          }),
        );
        if (c.closingTimer) clearTimeout(c.closingTimer);
        c.closingTimer = setTimeout(() => c.end(1001, 'Closing for maintenance'), closeAfterMs);
      }
      return hit.length;
    },
    stopHeartbeats(key, channelId) {
      heartbeatStops.set(key, channelId);
    },
    resumeHeartbeats(key) {
      heartbeatStops.delete(key);
    },
    openSockets() {
      return conns.size;
    },
    start() {
      if (heartbeatTimer || closed) return;
      heartbeatTimer = setInterval(() => {
        for (const c of conns) {
          if (c.silent || c.ws.readyState !== 1 || heartbeatStopped(c.channel.id)) continue;
          write(c, HEARTBEAT);
          stats.heartbeatsSent++;
        }
      }, opts.heartbeatMs);
      heartbeatTimer.unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      // A close frame (1001 going away) so clients know the server left; what does not finish the close
      // handshake in time is cut.
      const ends = [...conns].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === c.ws.CLOSED) return resolve();
            c.ws.once('close', () => resolve());
            c.end(1001, 'Server shutting down');
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(ends),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_HANDSHAKE_MS))),
      ]);
      clearTimeout(timer);
      for (const c of conns) c.ws.terminate();
      conns.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
