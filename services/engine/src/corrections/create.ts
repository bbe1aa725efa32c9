import type { Clock, GenesysApi } from '@lockstep/genesys';
import {
  createCorrectionAudit,
  createCorrectionLocks,
  createKeys,
  createReads,
  type RedisClient,
} from '@lockstep/store';
import type { Logger } from 'pino';
import type { CorrectionsConfig } from '../config.js';
import type { EngineMetrics } from '../metrics.js';
import { createAuditor } from './audit.js';
import { createCorrectionBudget } from './budget.js';
import { type CorrectionExecutor, createCorrectionExecutor, type ExecutorDeps } from './executor.js';
import { createFreshReader } from './fresh-reader.js';
import { createPresenceIds } from './presence-ids.js';

export interface CorrectionsDeps {
  readonly config: CorrectionsConfig;
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  readonly api: Pick<GenesysApi, 'users'>;
  readonly clientId: string;
  readonly rateLimitPerMinute: number;
  readonly instanceId: string;
  readonly historyMaxLen: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** The engine's lease seam, known once the engine exists (before any effect can be committed). */
  readonly leadership: () => ExecutorDeps['leadership'] | undefined;
  readonly tuning?: Pick<
    ExecutorDeps,
    'concurrency' | 'confirmEveryMs' | 'deferCheckMs' | 'jitterMs' | 'batchWindowMs'
  >;
}

/** Wires the correction executor's parts (budget, fresh reads, locks, audit) on the engine's Redis and API. */
export function createCorrections(deps: CorrectionsDeps): CorrectionExecutor {
  const keys = createKeys(deps.keyPrefix);
  const leadership: ExecutorDeps['leadership'] = {
    token: () => deps.leadership()?.token() ?? null,
    assertHeld(what) {
      const held = deps.leadership();
      if (held === undefined) throw new Error(`${what}: no engine lease yet`);
      return held.assertHeld(what);
    },
  };
  const budget = createCorrectionBudget({
    redis: deps.redis,
    keys,
    clientId: deps.clientId,
    rateLimitPerMinute: deps.rateLimitPerMinute,
    share: deps.config.budgetShare,
    metrics: deps.metrics,
  });
  return createCorrectionExecutor({
    ...deps.tuning,
    config: deps.config,
    users: deps.api.users,
    reads: createReads({ redis: deps.redis, keys }),
    locks: createCorrectionLocks({ redis: deps.redis, keys }),
    budget,
    reader: createFreshReader({
      users: deps.api.users,
      budget,
      assertHeld: (what) => leadership.assertHeld(what),
      now: () => deps.clock.now(),
    }),
    presenceIds: createPresenceIds(deps.api.users),
    audit: createAuditor({
      audit: createCorrectionAudit({ redis: deps.redis, keys, historyMaxLen: deps.historyMaxLen }),
      metrics: deps.metrics,
      logger: deps.logger,
    }),
    leadership,
    owner: deps.instanceId,
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
