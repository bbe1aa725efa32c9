/**
 * Yields to the event loop every `every` units of synchronous work: an agent's steps run synchronously up to its
 * commit, so under a backlog the batch yields now and then for sockets, lease renewals and other timers to be
 * served while its commits are in flight.
 */
export interface Yielder {
  /** Counts `units` of work done; returns a promise to await when it is time to yield, else `undefined`. */
  after(units: number): Promise<void> | undefined;
}

export function createYielder(every: number): Yielder {
  let since = 0;
  return {
    after(units) {
      since += units;
      if (since < every) return undefined;
      since = 0;
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
