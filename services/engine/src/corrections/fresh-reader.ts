import { type GenesysApi, isGenesysError, USER_EXPAND } from '@lockstep/genesys';
import { type FreshAgent, freshAgent } from './fresh-state.js';
import type { CorrectionBudget } from './budget.js';

/** Most users one `GET /api/v2/users?id=` request reads. */
export const READ_BATCH = 100;

export interface FreshReaderDeps {
  readonly users: Pick<GenesysApi['users'], 'listUsersPage'>;
  readonly budget: CorrectionBudget;
  /** Throws unless the lease is held (checked right before each request). */
  readonly assertHeld: (what: string) => void;
  readonly now: () => number;
  /** How long reads wait to share a request with others. Default 20 ms. */
  readonly windowMs?: number;
}

/** Reads agents fresh over REST for the guards: concurrent reads share requests (up to 100 agents each). */
export interface FreshReader {
  /** Rejects when the read fails or does not include the agent. */
  read(agentId: string, priority: number): Promise<FreshAgent>;
}

interface Waiter {
  readonly agentId: string;
  readonly priority: number;
  resolve(agent: FreshAgent): void;
  reject(err: unknown): void;
}

export function createFreshReader(deps: FreshReaderDeps): FreshReader {
  const windowMs = deps.windowMs ?? 20;
  let waiting: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function flush(batch: Waiter[]): Promise<void> {
    const ids = [...new Set(batch.map((w) => w.agentId))];
    try {
      await deps.budget.take(Math.min(...batch.map((w) => w.priority)));
      deps.assertHeld('correction read');
      const page = await deps.users.listUsersPage({ ids, expand: USER_EXPAND, pageSize: READ_BATCH });
      const readAt = deps.now();
      const found = new Map<string, FreshAgent>();
      for (const user of page.entities ?? []) {
        const agent = freshAgent(user, readAt);
        if (agent !== null) found.set(agent.agentId, agent);
      }
      for (const w of batch) {
        const agent = found.get(w.agentId);
        if (agent === undefined) w.reject(new Error(`agent ${w.agentId} missing from the read`));
        else w.resolve(agent);
      }
    } catch (err) {
      // A 429 past the adapter's own retries pauses every replica's corrections for the time it asks.
      if (isGenesysError(err, 'GENESYS_RATE_LIMITED')) {
        await deps.budget.block(err.details.retryAfterMs ?? 3_000).catch(() => undefined);
      }
      for (const w of batch) w.reject(err);
    }
  }

  function drain(): void {
    timer = undefined;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, READ_BATCH);
      waiting = waiting.slice(READ_BATCH);
      void flush(batch);
    }
  }

  return {
    read(agentId, priority) {
      return new Promise<FreshAgent>((resolve, reject) => {
        waiting.push({ agentId, priority, resolve, reject });
        if (waiting.length >= READ_BATCH) {
          if (timer !== undefined) clearTimeout(timer);
          drain();
        } else {
          timer ??= setTimeout(drain, windowMs);
        }
      });
    },
  };
}
