/** Counters of the notification transport, as `GET /__sim/stats` reports them. Mutated in place (hot path). */
export interface DeliveryStats {
  /** Events the world published. */
  eventsEmitted: number;
  /** Event frames written to sockets (one per socket, duplicates included). */
  eventsDelivered: number;
  /** Events with no subscribed channel at all. */
  eventsUnrouted: number;
  dropped: {
    /** Dropped by a `drop` delivery fault. */
    fault: number;
    /** Subscribed channel had no open socket (nothing is queued, reference §2.5). */
    noSocket: number;
    /** The socket had more than the allowed bytes queued. */
    backpressure: number;
    /** The socket was silenced by a `socket-kill` fault. */
    silentSocket: number;
  };
  duplicated: number;
  delayed: number;
  reordered: number;
  heartbeatsSent: number;
  pongsSent: number;
  socketsOpened: number;
  socketsClosed: number;
  upgradesRejected: number;
}

export function createStats(): DeliveryStats {
  return {
    eventsEmitted: 0,
    eventsDelivered: 0,
    eventsUnrouted: 0,
    dropped: { fault: 0, noSocket: 0, backpressure: 0, silentSocket: 0 },
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    heartbeatsSent: 0,
    pongsSent: 0,
    socketsOpened: 0,
    socketsClosed: 0,
    upgradesRejected: 0,
  };
}
