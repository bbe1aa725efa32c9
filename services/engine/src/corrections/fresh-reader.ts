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
  /** How long reads wait to share a request with others (then they join until its budget token comes). Default 100 ms. */
  readonly windowMs?: number;
}

/**
 * Reads agents fresh over REST for the guards: concurrent reads share requests (up to 100 agents each). A read
 * joins the open batch until that batch's budget token is granted, so reads share more requests the longer the
 * budget makes them wait.
 */
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

interface Batch {
  readonly waiters: Waiter[];
}

export function createFreshReader(deps: FreshReaderDeps): FreshReader {
  const windowMs = deps.windowMs ?? 100;
  /** The batch new reads join: collecting for `windowMs`, then waiting for its budget token. */
  let open: Batch | undefined;

  async function flush(b: Batch): Promise<void> {
    const batch = b.waiters;
    try {
      await deps.budget.take(Math.min(...batch.map((w) => w.priority)));
      // Granted: the batch is closed; later reads start the next one.
      if (open === b) open = undefined;
      const ids = [...new Set(batch.map((w) => w.agentId))];
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
      if (open === b) open = undefined;
      // A 429 past the adapter's own retries pauses every replica's corrections for the time it asks.
      if (isGenesysError(err, 'GENESYS_RATE_LIMITED')) {
        await deps.budget.block(err.details.retryAfterMs ?? 3_000).catch(() => undefined);
      }
      for (const w of batch) w.reject(err);
    }
  }

  return {
    read(agentId, priority) {
      return new Promise<FreshAgent>((resolve, reject) => {
        if (open === undefined || open.waiters.length >= READ_BATCH) {
          const b: Batch = { waiters: [] };
          open = b;
          setTimeout(() => void flush(b), windowMs);
        }
        open.waiters.push({ agentId, priority, resolve, reject });
      });
    },
  };
}
