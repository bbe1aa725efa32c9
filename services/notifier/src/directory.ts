import type { AgentProfileDoc, AgentProfiles } from '@lockstep/store';
import { type AgentProfile, UNKNOWN_PROFILE } from '@lockstep/webhooks';

/**
 * Where the notifier learns an agent's name, queues, division and management unit (for payloads and
 * subscription filters).
 */
export interface AgentDirectory {
  /** The agent's profile; `UNKNOWN_PROFILE` when no engine keeps one (the agent is not watched). */
  profile(agentId: string): Promise<AgentProfile>;
  /** Reads these agents' profiles in one round-trip ahead of `profile` calls. Optional. */
  prefetch?(agentIds: readonly string[]): Promise<void>;
}

export const EMPTY_DIRECTORY: AgentDirectory = Object.freeze({
  profile: () => Promise.resolve(UNKNOWN_PROFILE),
});

export interface RedisDirectoryOptions {
  /** The agent directory the engines keep in Redis. */
  readonly profiles: Pick<AgentProfiles, 'read'>;
  /** How long a profile read is reused (a renamed agent or a membership change shows after at most this). */
  readonly ttlMs: number;
  /** Most profiles cached; the oldest entry goes first. Default 10,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

const asAlertProfile = (doc: AgentProfileDoc | null): AgentProfile =>
  doc === null
    ? UNKNOWN_PROFILE
    : Object.freeze({
        name: doc.name,
        queueIds: Object.freeze([...doc.queueIds]),
        divisionId: doc.divisionId,
        managementUnitId: doc.managementUnitId,
      });

/**
 * The directory backed by the engines' agent profiles in Redis, with a bounded cache of short life: an agent
 * that is not watched is remembered as unknown for the same time. A Redis failure rejects (the intake leaves
 * the entries unacknowledged and reads them again), so an alert is never filtered on a profile it could not read.
 */
export function createRedisDirectory(options: RedisDirectoryOptions): AgentDirectory {
  const { profiles, ttlMs } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { profile: AgentProfile; until: number }>();

  function remember(agentId: string, profile: AgentProfile): void {
    if (ttlMs <= 0) return;
    cache.delete(agentId);
    cache.set(agentId, { profile, until: now() + ttlMs });
    // Map iteration order is insertion order: the first key is the oldest entry.
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next();
      if (oldest.done === true) break;
      cache.delete(oldest.value);
    }
  }

  function cached(agentId: string): AgentProfile | undefined {
    const hit = cache.get(agentId);
    if (hit === undefined) return undefined;
    if (hit.until > now()) return hit.profile;
    cache.delete(agentId);
    return undefined;
  }

  return {
    async profile(agentId) {
      const hit = cached(agentId);
      if (hit !== undefined) return hit;
      const [doc] = await profiles.read([agentId]);
      const profile = asAlertProfile(doc ?? null);
      remember(agentId, profile);
      return profile;
    },
    async prefetch(agentIds) {
      const missing = [...new Set(agentIds)].filter((id) => cached(id) === undefined);
      if (missing.length === 0 || ttlMs <= 0) return;
      const docs = await profiles.read(missing);
      missing.forEach((id, i) => remember(id, asAlertProfile(docs[i] ?? null)));
    },
  };
}
