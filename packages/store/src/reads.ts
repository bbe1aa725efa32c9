import { decodeJson, requirePositive } from './codec.js';
import { CorruptDataError, InvalidInputError } from './errors.js';
import { parseFindingMember } from './findings-index.js';
import { type Keys, validateId } from './keys.js';
import type { RedisClient } from './scripts.js';
import {
  type AgentRecord,
  type FindingDoc,
  HISTORY_CAUSES,
  type HistoryCause,
  type HistoryEntry,
  type OpenFinding,
} from './types.js';

export interface ReadsOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
}

/** Read-only queries for the CLI and the admin API. Never write. */
export interface Reads {
  /** The agent's committed state, or `null` when it was never committed. */
  readAgent(agentId: string): Promise<AgentRecord | null>;
  /**
   * Open findings, newest first (by `openedAt`), at most `limit` (default 100, max 1000). Each candidate from
   * the index is checked against its agent's hash, so a briefly stale index never yields a closed finding.
   */
  listOpenFindings(query?: { ruleId?: string; limit?: number }): Promise<OpenFinding[]>;
  /** History entries newest first; `before` (a stream id from a previous page) excludes it and newer. */
  readHistory(agentId: string, page: { count: number; before?: string }): Promise<HistoryEntry[]>;
  /** Agent ids in id order; pass the returned cursor back to continue, `null` means done. */
  listAgents(page: {
    cursor?: string | null;
    count: number;
  }): Promise<{ agentIds: string[]; cursor: string | null }>;
}

const STREAM_ID = /^\d+-\d+$/;

export function createReads(options: ReadsOptions): Reads {
  const { redis, keys } = options;

  async function readFindings(agentIds: readonly string[]): Promise<Map<string, readonly FindingDoc[]>> {
    const texts = await Promise.all(agentIds.map((a) => redis.hget(keys.agent(a), 'findings')));
    const out = new Map<string, readonly FindingDoc[]>();
    agentIds.forEach((agentId, i) => {
      const text = texts[i];
      out.set(agentId, text ? asFindings(agentId, decodeJson(`agent ${agentId} findings`, text)) : []);
    });
    return out;
  }

  return {
    async readAgent(agentId) {
      const h = await redis.hgetall(keys.agent(agentId));
      if (h.v === undefined) return null;
      const pending = h.pending ?? '';
      return {
        agentId,
        version: Number(h.v),
        fence: Number(h.fence ?? 0),
        state: h.state ?? '',
        machine: decodeJson(`agent ${agentId} machine`, h.machine ?? 'null'),
        signals: decodeJson(`agent ${agentId} signals`, h.signals ?? 'null'),
        findings: asFindings(agentId, decodeJson(`agent ${agentId} findings`, h.findings ?? '[]')),
        updatedAt: Number(h.at ?? 0),
        pendingOutbox: pending === '' ? 0 : pending.split('\n').length,
      };
    },

    async listOpenFindings(query = {}) {
      const limit = requirePositive('limit', query.limit ?? 100);
      if (limit > 1000) throw new InvalidInputError('limit must be at most 1000');
      const index = query.ruleId === undefined ? keys.findingsOpen() : keys.findingsByRule(query.ruleId);
      const out: OpenFinding[] = [];
      const batch = Math.min(1000, limit * 2);
      for (let offset = 0; out.length < limit; offset += batch) {
        const members = await redis.zrevrange(index, offset, offset + batch - 1);
        const candidates = members.flatMap((m) => parseFindingMember(m) ?? []);
        const byAgent = await readFindings([...new Set(candidates.map((c) => c.agentId))]);
        for (const { agentId, findingId } of candidates) {
          const finding = byAgent.get(agentId)?.find((f) => f.id === findingId);
          if (!finding || (query.ruleId !== undefined && finding.ruleId !== query.ruleId)) continue;
          out.push({ agentId, finding });
          if (out.length === limit) break;
        }
        if (members.length < batch) break;
      }
      return out;
    },

    async readHistory(agentId, page) {
      const count = requirePositive('count', page.count);
      if (page.before !== undefined && !STREAM_ID.test(page.before)) {
        throw new InvalidInputError(
          `before must be a stream id like 1700000000000-0, got ${JSON.stringify(page.before)}`,
        );
      }
      const max = page.before === undefined ? '+' : `(${page.before}`;
      const entries = await redis.xrevrange(keys.history(agentId), max, '-', 'COUNT', count);
      return entries.map(([id, fields]) => {
        const f = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
        const cause = f.get('cause') ?? '';
        if (!HISTORY_CAUSES.includes(cause as HistoryCause)) {
          throw new CorruptDataError(`agent ${agentId} history entry ${id}: cause ${JSON.stringify(cause)}`);
        }
        return {
          id,
          version: Number(f.get('v')),
          at: Number(f.get('at')),
          cause: cause as HistoryCause,
          detail: f.get('detail') ?? '',
          from: f.get('from') ?? '',
          to: f.get('to') ?? '',
        };
      });
    },

    async listAgents(page) {
      const count = requirePositive('count', page.count);
      const min = page.cursor ? `(${validateId('cursor', page.cursor)}` : '-';
      const agentIds = await redis.zrangebylex(keys.agentsIndex(), min, '+', 'LIMIT', 0, count);
      return { agentIds, cursor: agentIds.length < count ? null : (agentIds[agentIds.length - 1] ?? null) };
    },
  };
}

function asFindings(agentId: string, value: unknown): readonly FindingDoc[] {
  if (!Array.isArray(value)) throw new CorruptDataError(`agent ${agentId} findings are not an array`);
  return value as FindingDoc[];
}
