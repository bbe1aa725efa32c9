import type { Clock } from '@lockstep/genesys';
import { type Lease, LeaseLostError, type Leases } from '@lockstep/store';
import type { Logger } from 'pino';

export interface LeaseKeeperDeps {
  readonly leases: Leases;
  /** e.g. `engine:shard:0`. */
  readonly name: string;
  readonly owner: string;
  readonly ttlMs: number;
  /** Renewal (and, while standing by, acquisition retry) period; well below `ttlMs`. */
  readonly renewMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The lease was (re)acquired with a new fencing token. */
  readonly onAcquired: (lease: Lease) => void;
  /** The lease was lost: stop committing at once. */
  readonly onLost: () => void;
}

/**
 * Holds the engine's shard lease: acquires it (retrying while another engine holds it), renews it, and reports
 * loss. `token()` is the fencing token for commits, `null` while the lease is not held.
 */
export interface LeaseKeeper {
  /** Tries once to acquire, then keeps trying / renewing in the background. Resolves with whether it holds. */
  start(): Promise<boolean>;
  token(): number | null;
  /** A commit was fenced off: treat the lease as lost now (the renewal loop tries to get it back). */
  markLost(): void;
  /** Stops renewing and releases the lease if held. Idempotent. */
  close(): Promise<void>;
}

export function createLeaseKeeper(deps: LeaseKeeperDeps): LeaseKeeper {
  const { leases, clock } = deps;
  const log = deps.logger.child({ component: 'lease', lease: deps.name });
  let lease: Lease | null = null;
  let timer: unknown;
  let closed = false;
  let closing: Promise<void> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function lose(message: string, err?: unknown): void {
    if (lease === null) return;
    lease = null;
    log.error({ err }, message);
    deps.onLost();
  }

  async function acquire(): Promise<void> {
    const got = await leases.acquireLease(deps.name, deps.owner, deps.ttlMs);
    if (got === null) {
      log.debug('lease held by another engine: standing by');
      return;
    }
    lease = got;
    log.info({ fence: got.token }, 'lease acquired');
    deps.onAcquired(got);
  }

  async function tick(): Promise<void> {
    try {
      if (lease === null) await acquire();
      else await leases.renewLease(lease, deps.ttlMs);
    } catch (err) {
      if (err instanceof LeaseLostError) lose('lease lost: commits stopped', err);
      else log.warn({ err }, 'lease renewal failed: retrying');
    }
  }

  function loop(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      inFlight = tick().finally(loop);
    }, deps.renewMs);
  }

  return {
    async start() {
      inFlight = tick();
      await inFlight;
      loop();
      return lease !== null;
    },
    token: () => lease?.token ?? null,
    markLost() {
      lose('a newer lease holder wrote an agent: commits stopped');
    },
    close() {
      closing ??= (async () => {
        closed = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        await inFlight.catch(() => {});
        const held = lease;
        lease = null;
        if (held) {
          try {
            await leases.releaseLease(held);
          } catch (err) {
            log.warn({ err }, 'lease release failed (it expires on its own)');
          }
        }
      })();
      return closing;
    },
  };
}
