import { type AgentProfile, UNKNOWN_PROFILE } from '@lockstep/webhooks';

/**
 * Where the notifier learns an agent's name, queues, division and management unit (for payloads and
 * subscription filters). The engine does not persist them yet, so the default directory knows nobody:
 * payloads carry `agentName: null`, and queue/division/MU filters match no agent alert until a directory
 * backed by the agent index is plugged in here.
 */
export interface AgentDirectory {
  profile(agentId: string): Promise<AgentProfile>;
}

export const EMPTY_DIRECTORY: AgentDirectory = Object.freeze({
  profile: () => Promise.resolve(UNKNOWN_PROFILE),
});
