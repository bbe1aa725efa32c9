import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { createManualClock, type ManualClock } from '../manual-clock.js';
import {
  type ChannelSocket,
  openChannelSocket,
  SOCKET_DEFAULTS,
  type SocketCloseCause,
} from './channel-socket.js';

const PONG = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
const HEARTBEAT = JSON.stringify({
  topicName: 'channel.metadata',
  eventBody: { message: 'WebSocket Heartbeat' },
});
const HEARTBEAT_MS = 30_000;

/** A real WebSocket server that answers pings like the platform until it is told to go silent. */
async function startPlatform() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const peers = new Set<WebSocket>();
  const state = { silent: false, pings: 0 };
  server.on('connection', (ws) => {
    peers.add(ws);
    ws.on('message', (data) => {
      if (String(data).includes('"ping"')) {
        state.pings++;
        if (!state.silent) ws.send(PONG);
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/channels/c-1`,
    state,
    heartbeat() {
      if (!state.silent) for (const ws of peers) ws.send(HEARTBEAT);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of peers) ws.terminate();
        server.close(() => resolve());
      }),
  };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** Moves the manual clock in small steps, letting real socket I/O happen between steps and sending heartbeats. */
async function run(
  clock: ManualClock,
  platform: Awaited<ReturnType<typeof startPlatform>>,
  ms: number,
  until?: () => boolean,
) {
  const step = 100;
  for (let t = 0; t < ms; t += step) {
    const before = clock.now();
    await clock.advanceAsync(step);
    if (Math.floor(clock.now() / HEARTBEAT_MS) > Math.floor(before / HEARTBEAT_MS)) platform.heartbeat();
    await new Promise((r) => setTimeout(r, 2));
    if (until?.()) return;
  }
}

async function open(clock: ManualClock, url: string) {
  const closes: SocketCloseCause[] = [];
  const socket: ChannelSocket = await openChannelSocket({
    url,
    clock,
    logger: pino({ level: 'silent' }),
    pingIntervalMs: SOCKET_DEFAULTS.pingIntervalMs,
    watchdogTimeoutMs: SOCKET_DEFAULTS.watchdogTimeoutMs,
    connectTimeoutMs: 5_000,
    onFrame: () => undefined,
    onClose: (cause) => closes.push(cause),
  });
  cleanup.push(() => socket.close());
  return { socket, closes };
}

describe('channel socket liveness with the default timings', () => {
  it('stays connected on a platform that answers pings and sends a heartbeat every 30 s', async () => {
    const platform = await startPlatform();
    cleanup.push(platform.close);
    const clock = createManualClock(1_000_000);
    const { socket, closes } = await open(clock, platform.url);
    await run(clock, platform, 120_000);
    expect(closes).toEqual([]);
    expect(socket.isOpen()).toBe(true);
    expect(platform.state.pings).toBeGreaterThanOrEqual(50);
  });

  it('notices a socket that goes silent (no close frame, no pong, no heartbeat) within 10 s', async () => {
    const platform = await startPlatform();
    cleanup.push(platform.close);
    const clock = createManualClock(1_000_000);
    const { closes } = await open(clock, platform.url);
    await run(clock, platform, 10_000);
    expect(closes).toEqual([]);
    platform.state.silent = true;
    const silentAt = clock.now();
    await run(clock, platform, 80_000, () => closes.length > 0);
    expect(closes).toEqual(['watchdog']);
    expect(clock.now() - silentAt).toBeLessThanOrEqual(10_000);
  });
});
