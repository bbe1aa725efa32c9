import type { Clock, TimerHandle } from '@lockstep/genesys';
import type { RedisClient } from '@lockstep/store';
import type { Logger } from 'pino';
import type { EngineMetrics } from './metrics.js';

export interface RedisWatchDeps {
  readonly redis: RedisClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** Redis answered again (or still answers) and these agents lost events meanwhile: re-read them. */
  readonly onRecovered: (agentIds: readonly string[]) => void;
  /** How often Redis is probed with PING. Default 1 s. */
  readonly intervalMs?: number;
  /** A probe not answered within this long counts as Redis down. Default 1 s. */
  readonly timeoutMs?: number;
}

/**
 * Watches whether Redis answers, for `/healthz` and for recovery: the pipeline hands over the agents whose events
 * it could not commit, and the watch hands them to the resyncer at the first probe Redis answers, so that they are
 * re-read over REST within about a probe interval of Redis returning instead of at the next safety resync.
 */
export interface RedisWatch {
  /** Remembers agents whose events were lost; they are handed over at the next answered probe. */
  lost(agentIds: readonly string[]): void;
  /** Whether the last probe was answered (true before the first probe). */
  up(): boolean;
  /** Agents waiting for Redis to answer. */
  readonly waiting: number;
  start(): void;
  /** Stops probing. Idempotent. */
  close(): Promise<void>;
}

export function createRedisWatch(deps: RedisWatchDeps): RedisWatch {
  const { redis, clock, metrics } = deps;
  const log = deps.logger.child({ component: 'redis-watch' });
  const intervalMs = deps.intervalMs ?? 1_000;
  const timeoutMs = deps.timeoutMs ?? 1_000;
  const waiting = new Set<string>();
  let isUp = true;
  let downSince = 0;
  let timer: TimerHandle | undefined;
  let probing: Promise<void> | undefined;
  let closed = false;
  metrics.redisUp.set(1);

  async function ping(): Promise<boolean> {
    let timeout: TimerHandle | undefined;
    const late = new Promise<false>((resolve) => {
      timeout = clock.setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      const answer = redis.ping().then(
        (reply) => reply === 'PONG',
        () => false,
      );
      return await Promise.race([answer, late]);
    } finally {
      if (timeout !== undefined) clock.clearTimeout(timeout);
    }
  }

  async function probe(): Promise<void> {
    const answered = await ping();
    if (closed) return;
    if (answered !== isUp) {
      isUp = answered;
      metrics.redisUp.set(answered ? 1 : 0);
      if (answered)
        log.warn({ downMs: clock.now() - downSince, agents: waiting.size }, 'Redis answers again');
      else {
        downSince = clock.now();
        log.error('Redis does not answer: commits fail and their agents are re-read once it is back');
      }
    }
    if (answered && waiting.size > 0) {
      const ids = [...waiting];
      waiting.clear();
      deps.onRecovered(ids);
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      probing = probe().finally(() => {
        probing = undefined;
        schedule();
      });
    }, intervalMs);
  }

  return {
    lost(agentIds) {
      for (const id of agentIds) waiting.add(id);
    },
    up: () => isUp,
    get waiting() {
      return waiting.size;
    },
    start() {
      if (timer === undefined && probing === undefined && !closed) schedule();
    },
    async close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await probing;
    },
  };
}
