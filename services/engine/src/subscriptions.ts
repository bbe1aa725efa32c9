import { type ChannelPool, isGenesysError } from '@lockstep/genesys';
import type { Logger } from 'pino';

/**
 * Subscribes agents on the notification channels. When not every agent fits (the platform's channel and topic
 * limits), the others are still tracked (REST resyncs keep them right) and one error says how many did not fit.
 */
export async function subscribeAgents(
  pool: Pick<ChannelPool, 'setAgents' | 'addAgents'>,
  how: 'set' | 'add',
  agentIds: readonly string[],
  log: Logger,
): Promise<void> {
  try {
    if (how === 'set') await pool.setAgents(agentIds);
    else await pool.addAgents(agentIds);
  } catch (err) {
    if (isGenesysError(err, 'GENESYS_CAPACITY_EXCEEDED')) {
      log.error(
        { unplaced: err.details.agentIds?.length ?? 0 },
        'not every agent fits on the notification channels: the others are tracked',
      );
    } else throw err;
  }
}
