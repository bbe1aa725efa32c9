import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Clock } from '../clock.js';
import { GenesysError } from '../errors.js';
import { channelRefOfUrl } from './channel-ref.js';

export type SocketCloseCause = 'remote' | 'watchdog' | 'error' | 'local';

export interface ChannelSocketOptions {
  readonly url: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often to send `{"message":"ping"}` and check liveness. */
  readonly pingIntervalMs: number;
  /** Terminate when no frame at all arrived for this long (a backstop behind missed-pong counting). */
  readonly watchdogTimeoutMs: number;
  /**
   * Terminate after this many pings in a row got no frame at all before the next ping (a pong, a heartbeat or an
   * event all prove the socket alive). 0 turns the counting off (only the watchdog then applies). Default 3.
   */
  readonly maxMissedPongs?: number;
  /** How long the WebSocket handshake may take. */
  readonly connectTimeoutMs: number;
  /** Every text frame, in arrival order. Hot path: keep it cheap. */
  readonly onFrame: (text: string) => void;
  /** Once, when the socket is gone for any reason after it opened (never for `close()`/`terminate()` by us). */
  readonly onClose: (cause: SocketCloseCause, code?: number) => void;
}

/** One WebSocket to one notification channel, with an application-level ping and a silence watchdog. */
export interface ChannelSocket {
  readonly url: string;
  /** Epoch ms of the last frame received (or of the open). */
  lastFrameAt(): number;
  isOpen(): boolean;
  /** Graceful close; does not call onClose. Idempotent. */
  close(): void;
}

const PING = JSON.stringify({ message: 'ping' });

/**
 * Liveness defaults: a ping every 2 s and three missed pongs in a row detect a silent socket in 6 to 8 s. The
 * platform answers each ping within milliseconds, so its ~30 s heartbeat plays no part and a slow pong must be
 * late by a whole interval three times in a row to cause a reconnect. The watchdog (no frame at all) is a
 * backstop for platforms that do not answer pings: above the ~30 s heartbeat with room for one lost heartbeat.
 */
export const SOCKET_DEFAULTS = {
  pingIntervalMs: 2_000,
  maxMissedPongs: 3,
  watchdogTimeoutMs: 75_000,
} as const;

/**
 * Opens a socket and resolves once it is open; rejects with NETWORK (or NOT_FOUND when the server refuses the
 * upgrade with 404, i.e. the channel is gone).
 */
export function openChannelSocket(opts: ChannelSocketOptions): Promise<ChannelSocket> {
  const { clock, logger } = opts;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(opts.url, { handshakeTimeout: opts.connectTimeoutMs });
    let lastFrame = clock.now();
    const maxMissed = opts.maxMissedPongs ?? SOCKET_DEFAULTS.maxMissedPongs;
    // Whether a frame arrived since the last ping, and how many pings in a row went unanswered.
    let answered = true;
    let missed = 0;
    let timer: unknown;
    let settled = false;
    let done = false;

    const stop = () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    };
    const finish = (cause: SocketCloseCause, code?: number) => {
      if (done) return;
      done = true;
      stop();
      if (settled) opts.onClose(cause, code);
    };
    const tick = () => {
      timer = undefined;
      if (done) return;
      missed = answered ? 0 : missed + 1;
      const silentMs = clock.now() - lastFrame;
      if ((maxMissed > 0 && missed >= maxMissed) || silentMs > opts.watchdogTimeoutMs) {
        logger.warn(
          { channel: channelRefOfUrl(opts.url), silentMs, missedPongs: missed },
          'socket silent; terminating',
        );
        ws.terminate();
        finish('watchdog');
        return;
      }
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(PING);
        answered = false;
      }
      timer = clock.setTimeout(tick, opts.pingIntervalMs);
    };

    const handle: ChannelSocket = {
      url: opts.url,
      lastFrameAt: () => lastFrame,
      isOpen: () => !done && ws.readyState === WebSocket.OPEN,
      close() {
        if (done) return;
        done = true;
        stop();
        try {
          ws.close(1000, 'client closing');
        } catch {
          ws.terminate();
        }
        // Do not wait for the peer's close frame forever.
        clock.setTimeout(() => ws.terminate(), 1_000);
      },
    };

    ws.on('open', () => {
      settled = true;
      lastFrame = clock.now();
      timer = clock.setTimeout(tick, opts.pingIntervalMs);
      resolve(handle);
    });
    ws.on('message', (data, isBinary) => {
      lastFrame = clock.now();
      answered = true;
      if (!isBinary && !done) opts.onFrame(data.toString());
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (!settled) {
        settled = true;
        done = true;
        reject(
          new GenesysError(
            status === 404 ? 'GENESYS_NOT_FOUND' : 'GENESYS_NETWORK',
            `socket upgrade refused with HTTP ${status}`,
            {
              status,
              operation: 'notifications.socket.open',
            },
          ),
        );
      }
    });
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        done = true;
        stop();
        reject(
          new GenesysError('GENESYS_NETWORK', `socket failed: ${err.message}`, {
            operation: 'notifications.socket.open',
          }),
        );
        return;
      }
      logger.debug({ err: err.message }, 'socket error');
      finish('error');
    });
    ws.on('close', (code) => finish('remote', code));
  });
}
