import { randomBytes } from 'node:crypto';
import type { Clock } from '@lockstep/genesys';
import { type Lease, type LeaseInfo, LeaseLostError, type Leases } from '@lockstep/store';
import type { Logger } from 'pino';
import { NotLeaderError } from './errors.js';

export interface LeaseKeeperDeps {
  readonly leases: Leases;
  /** e.g. `engine:shard:0`. */
  readonly name: string;
  readonly owner: string;
  readonly ttlMs: number;
  /** Renewal period; well below `ttlMs`. */
  readonly renewMs: number;
  /**
   * Subtracted from the TTL for the local deadline, so that this process stops acting before Redis can hand
   * the lease to someone else (covers clock-rate drift and the trip of a commit). Default max(100, ttlMs/10).
   */
  readonly marginMs?: number;
  /** This engine's shard setting (e.g. `0/2`), compared with the holder's to warn about overlaps. */
  readonly shard?: string;
  /** Names this process among processes sharing `owner`. Default `<pid>-<random>`. */
  readonly proc?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The lease was (re)acquired, or renewed after its local deadline had passed: this engine acts again and
   * must catch up on what it dropped meanwhile (reload, resync).
   */
  readonly onAcquired: (lease: Lease) => void;
  /** The lease was lost: stop committing at once. */
  readonly onLost: () => void;
}

/**
 * Holds the engine's shard lease: acquires it (while another engine holds it, tries again the moment that
 * lease would expire), renews it, and reports loss. Every holder has a LOCAL deadline: the time the last
 * acquisition or renewal was sent + TTL − margin. Past it, `token()` is `null` and `canAct()` false until a
 * renewal succeeds, whatever Redis answers or fails to answer; a renewal error past it drops the lease.
 */
export interface LeaseKeeper {
  /** Tries once to acquire, then keeps trying / renewing in the background. Resolves with whether it holds. */
  start(): Promise<boolean>;
  /** The fencing token for commits, `null` unless the lease is held and its local deadline is ahead. */
  token(): number | null;
  /**
   * Whether this process may act now (commit, correct, page). Every side effect checks it (or `assertHeld`)
   * right before it goes out.
   */
  canAct(): boolean;
  /** The fencing token; throws `NotLeaderError` naming `what` unless `canAct()`. */
  assertHeld(what: string): number;
  /** The local deadline (epoch ms, engine clock), `null` while not holding. */
  deadline(): number | null;
  /** A commit was fenced off: treat the lease as lost now (the renewal loop tries to get it back). */
  markLost(): void;
  /** Stops renewing and releases the lease if held. Idempotent. */
  close(): Promise<void>;
}

/** Losses within this window that make the keeper warn about a flapping lease. */
const FLAP_WINDOW_MS = 60_000;
const FLAP_LOSSES = 3;

export function createLeaseKeeper(deps: LeaseKeeperDeps): LeaseKeeper {
  const { leases, clock } = deps;
  const log = deps.logger.child({ component: 'lease', lease: deps.name });
  const marginMs = deps.marginMs ?? Math.max(100, Math.floor(deps.ttlMs / 10));
  const proc = deps.proc ?? `${process.pid}-${randomBytes(3).toString('hex')}`;
  const shard = deps.shard ?? '';
  let lease: Lease | null = null;
  let until = 0;
  let timer: unknown;
  let closed = false;
  let closing: Promise<void> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let losses: number[] = [];
  let lastFlapWarning = -Infinity;
  let lastSharedWarning = -Infinity;
  const warnedShards = new Set<string>();

  const holds = () => lease !== null && clock.now() < until;

  function lose(message: string, err?: unknown): void {
    if (lease === null) return;
    lease = null;
    log.error({ err }, message);
    deps.onLost();
    const now = clock.now();
    losses = losses.filter((t) => t > now - FLAP_WINDOW_MS);
    losses.push(now);
    if (losses.length >= FLAP_LOSSES && now - lastFlapWarning >= FLAP_WINDOW_MS) {
      lastFlapWarning = now;
      log.error(
        { losses: losses.length, windowMs: FLAP_WINDOW_MS },
        'LEASE FLAPPING: this shard lease keeps changing hands; check that no two engines share an instance id ' +
          'and that every engine has its own LOCKSTEP_SHARD with the same shard count',
      );
    }
  }

  function standingBy(holder: LeaseInfo | null): void {
    if (holder === null) return;
    if (holder.shard !== '' && shard !== '' && holder.shard !== shard && !warnedShards.has(holder.shard)) {
      warnedShards.add(holder.shard);
      log.error(
        { holder: holder.owner, holderShard: holder.shard, shard },
        'SHARD SETTINGS OVERLAP: another engine holds this shard lease with a different LOCKSTEP_SHARD; ' +
          'give every engine the same shard count and its own index',
      );
    }
    log.debug(
      { holder: holder.owner, expiresInMs: holder.ttlMs },
      'lease held by another engine: standing by',
    );
  }

  /** Returns the delay before the next attempt. */
  async function acquire(): Promise<number> {
    const sentAt = clock.now();
    const got = await leases.acquireLease(deps.name, deps.owner, deps.ttlMs, { proc, shard });
    if (got === null) {
      const holder = await leases.readLease(deps.name);
      standingBy(holder);
      // Try again the moment the holder's lease would expire (it may renew meanwhile: then wait again).
      return holder === null ? 0 : Math.min(holder.ttlMs + 5, deps.ttlMs);
    }
    lease = got;
    until = sentAt + deps.ttlMs - marginMs;
    log.info({ fence: got.token, deadlineInMs: until - clock.now() }, 'lease acquired');
    deps.onAcquired(got);
    return deps.renewMs;
  }

  async function renew(held: Lease): Promise<number> {
    const sentAt = clock.now();
    const outcome = await leases.renewLease(held, deps.ttlMs);
    if (lease !== held) return deps.renewMs;
    // Past the deadline this engine dropped what it was given (nothing went out): catch up like a new holder.
    const lapsed = clock.now() >= until;
    until = sentAt + deps.ttlMs - marginMs;
    if (lapsed) {
      log.warn({ fence: held.token }, 'lease renewed after its local deadline: acting again, resyncing');
      deps.onAcquired(held);
    }
    if (outcome === 'shared' && sentAt - lastSharedWarning >= FLAP_WINDOW_MS) {
      lastSharedWarning = sentAt;
      log.error(
        { instanceId: deps.owner },
        'DUPLICATE INSTANCE ID: another live engine holds this lease under the same instance id, so both act ' +
          'as leader; give each engine its own LOCKSTEP_INSTANCE_ID',
      );
    }
    return deps.renewMs;
  }

  async function tick(): Promise<number> {
    try {
      return lease === null ? await acquire() : await renew(lease);
    } catch (err) {
      if (err instanceof LeaseLostError) lose('lease lost: commits stopped', err);
      else if (lease !== null && clock.now() >= until) {
        lose('lease renewal failed past the local deadline: lease dropped, commits stopped', err);
      } else
        log.warn(
          { err },
          lease === null ? 'lease acquisition failed: retrying' : 'lease renewal failed: retrying',
        );
      return deps.renewMs;
    }
  }

  function loop(delayMs: number): void {
    if (closed) return;
    timer = clock.setTimeout(
      () => {
        inFlight = tick().then(loop);
      },
      Math.max(1, delayMs),
    );
  }

  return {
    async start() {
      const first = tick();
      inFlight = first.then(() => undefined);
      loop(await first);
      return lease !== null;
    },
    token: () => (holds() ? (lease?.token ?? null) : null),
    canAct: holds,
    assertHeld(what) {
      if (!holds() || lease === null) throw new NotLeaderError(deps.name, what);
      return lease.token;
    },
    deadline: () => (lease === null ? null : until),
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
