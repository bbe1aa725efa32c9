import {
  type Keys,
  type Outbox,
  type RedisClient,
  repairAgentIndex,
  repairFindingsIndex,
} from '@lockstep/store';
import type { Logger } from 'pino';

/**
 * What a start heals that a crash may have left behind: outbox entries committed but not relayed, and the
 * open-findings index (commits write it only when an agent's findings change), the agent-list indexes. Failures are logged, not thrown:
 * the sweeper and the next start try again.
 */
export async function repairAtStartup(deps: {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly outbox: Pick<Outbox, 'relayAllPending'>;
  readonly logger: Logger;
}): Promise<void> {
  const log = deps.logger;
  try {
    const relayed = await deps.outbox.relayAllPending();
    if (relayed > 0) log.info({ relayed }, 'relayed outbox entries left by a previous run');
  } catch (err) {
    log.error({ err }, 'startup outbox relay failed');
  }
  try {
    const repaired = await repairFindingsIndex({ redis: deps.redis, keys: deps.keys });
    if (repaired.removed > 0) log.info(repaired, 'open-findings index repaired');
  } catch (err) {
    log.error({ err }, 'startup open-findings index repair failed');
  }
  try {
    // The agent-list indexes of the admin API: agents committed before them, or whose update a crash lost.
    const reindexed = await repairAgentIndex({ redis: deps.redis, keys: deps.keys });
    if (reindexed > 0) log.info({ reindexed }, 'agent-list index repaired');
  } catch (err) {
    log.error({ err }, 'startup agent-list index repair failed');
  }
}
