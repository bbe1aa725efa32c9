import type { Logger } from 'pino';

/** A set of listeners: `add` returns the function that removes the listener again. */
export interface ListenerSet<A extends unknown[]> {
  add(listener: (...args: A) => void): () => void;
  /** Calls every listener; a throwing listener is logged and the others still run. */
  emit(...args: A): void;
  clear(): void;
}

/** Creates a listener set whose failures are logged as `message` on `log`. */
export function createListenerSet<A extends unknown[]>(
  log: Logger,
  message = 'listener failed',
): ListenerSet<A> {
  const listeners = new Set<(...args: A) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(...args) {
      for (const l of listeners) {
        try {
          l(...args);
        } catch (err) {
          log.error({ err }, message);
        }
      }
    },
    clear: () => listeners.clear(),
  };
}
