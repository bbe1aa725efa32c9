import { agentOfNameKey } from './agent-profiles.js';
import { InvalidInputError } from './errors.js';
import { type Keys, validateId } from './keys.js';
import { defineScripts, type RedisClient } from './scripts.js';
import { EXTRA_TAG_KINDS, tagOf } from './tags.js';
import type { FindingDoc } from './types.js';

/**
 * Agent-list indexes, maintained after every commit so the admin API lists and filters agents without a SCAN:
 * one sorted set per tag (`presence:ON_QUEUE`, `routing:IDLE`, `rule:<ruleId>`, `finding:open`, and tags the
 * engine adds such as `queue:<id>`, `mu:<id>`, `division:<id>`) ordered by agent id, and one sorted set of
 * every indexed agent ordered by since when its state holds.
 */

const MEMBERSHIP_KINDS = EXTRA_TAG_KINDS.map((k) => `${k}:`).join('\n');

/**
 * The tags of one committed agent: presence and routing status read from the merged signals (the only fields
 * of the signals document the store reads), one `rule:<ruleId>` per open finding, `finding:open` when any is
 * open, plus `extra`. Sorted and without duplicates. Pure.
 */
export function agentTags(signals: unknown, findings: readonly FindingDoc[], extra: readonly string[] = []) {
  const tags = new Set<string>(extra);
  const s = (typeof signals === 'object' && signals !== null ? signals : {}) as Record<string, unknown>;
  const value = (name: string): unknown => (s[name] as { value?: unknown } | undefined)?.value;
  const presence = tagOf('presence', (value('presence') as { system?: unknown } | undefined)?.system);
  const routing = tagOf('routing', value('routing'));
  if (presence) tags.add(presence);
  if (routing) tags.add(routing);
  for (const f of findings) {
    const rule = tagOf('rule', f.ruleId);
    if (rule) tags.add(rule);
  }
  if (findings.length > 0) tags.add('finding:open');
  return [...tags].sort();
}

/** A page query over the agent indexes. */
export interface AgentListQuery {
  /** Every tag must be carried (AND). */
  readonly tags: readonly string[];
  /**
   * `id`: agent id order; `stateSince`: longest in its state first; `name`: by name (case-folded), the watched
   * agents only (those with a directory profile), unnamed ones last.
   */
  readonly sort: 'id' | 'stateSince' | 'name';
  readonly limit: number;
  /** From a previous page's `next`. */
  readonly after?: ListPosition;
}

/** Where a page ends: the last agent, and its since (`stateSince` order) or name index member (`name` order). */
export interface ListPosition {
  readonly id: string;
  readonly since?: number;
  readonly name?: string;
}

export interface AgentListPage {
  readonly agents: readonly { readonly agentId: string; readonly stateSince: number | null }[];
  /** Where the next page starts; `null` when this page is the last. */
  readonly next: ListPosition | null;
}

/** Options of `AgentIndex.sync`. */
export interface SyncOptions {
  /**
   * Keep the indexed membership tags (queue, mu, division): the agent directory owns them, and `tags` should
   * hold none. Default false: `tags` replaces every tag.
   */
  readonly keepMemberships?: boolean;
}

export interface AgentIndex {
  /**
   * Indexes one committed agent version (idempotent; a version older than the indexed one changes nothing).
   * Resolves to since when its state holds.
   */
  sync(
    agentId: string,
    version: number,
    state: string,
    at: number,
    tags: readonly string[],
    options?: SyncOptions,
  ): Promise<number>;
  /** One page of agents carrying every tag of the query. */
  list(query: AgentListQuery): Promise<AgentListPage>;
}

const SCAN_BATCH = 500;
/** A filtered time-in-state listing whose smallest tag set has at most this many agents is sorted in memory. */
const SMALL_SET = 20_000;
/** A filtered name listing whose smallest tag set has at most this many agents is always sorted in memory. */
const SMALL_NAME_SET = 1_000;

export function createAgentIndex(options: {
  redis: RedisClient;
  keys: Keys;
  /** Largest smallest-tag-set sorted in memory for a filtered time-in-state listing. Default 20,000. */
  smallSetMax?: number;
}): AgentIndex {
  const { redis, keys } = options;
  const smallSetMax = options.smallSetMax ?? SMALL_SET;
  defineScripts(redis);
  const tagPrefix = keys.agentsByTag('x').slice(0, -1);

  /** Keeps the candidates that carry every tag of `others`. One ZMSCORE per other tag. */
  async function filter(candidates: string[], others: readonly string[]): Promise<string[]> {
    if (candidates.length === 0 || others.length === 0) return candidates;
    const pipe = redis.pipeline();
    for (const tag of others) pipe.zmscore(keys.agentsByTag(tag), ...candidates);
    const results = (await pipe.exec()) ?? [];
    return candidates.filter((_, i) =>
      results.every(([err, scores]) => {
        if (err) throw err;
        return (scores as (string | null)[])[i] !== null;
      }),
    );
  }

  async function listById(query: AgentListQuery): Promise<AgentListPage> {
    let primary = keys.agentsIndex();
    let others = query.tags;
    if (query.tags.length > 0) {
      // Walk the smallest tag set and check the others by membership.
      const sizes = await Promise.all(query.tags.map((t) => redis.zcard(keys.agentsByTag(t))));
      const smallest = sizes.indexOf(Math.min(...sizes));
      primary = keys.agentsByTag(query.tags[smallest] ?? '');
      others = query.tags.filter((_, i) => i !== smallest);
    }
    const out: string[] = [];
    let min = query.after ? `(${query.after.id}` : '-';
    for (;;) {
      const batch = await redis.zrangebylex(primary, min, '+', 'LIMIT', 0, SCAN_BATCH);
      for (const id of await filter(batch, others)) {
        // One match past a full page proves there is a next page.
        if (out.length === query.limit) return page(out, true);
        out.push(id);
      }
      const tail = batch[batch.length - 1];
      if (batch.length < SCAN_BATCH || tail === undefined) return page(out, false);
      min = `(${tail}`;
    }
  }

  async function page(agentIds: string[], more: boolean): Promise<AgentListPage> {
    const since = await sinceOf(agentIds);
    const last = agentIds[agentIds.length - 1];
    return {
      agents: agentIds.map((agentId, i) => ({ agentId, stateSince: since[i] ?? null })),
      next: more && last !== undefined ? { id: last } : null,
    };
  }

  async function sinceOf(agentIds: readonly string[]): Promise<(number | null)[]> {
    if (agentIds.length === 0) return [];
    const scores = await redis.zmscore(keys.agentsByStateSince(), ...agentIds);
    return scores.map((s) => (s === null ? null : Number(s)));
  }

  /** Rank where a page after `after` starts: just past the cursor's agent, or past its instant if it moved. */
  async function startRank(after: AgentListQuery['after']): Promise<number> {
    if (!after) return 0;
    const key = keys.agentsByStateSince();
    const [score, rank] = await Promise.all([redis.zscore(key, after.id), redis.zrank(key, after.id)]);
    if (score !== null && rank !== null && Number(score) === after.since) return rank + 1;
    return redis.zcount(key, '-inf', after.since ?? 0);
  }

  /**
   * Time-in-state order over a small filtered set: reads the smallest tag set whole, keeps the agents carrying
   * the other tags, and sorts them by (since, id) here, instead of walking every agent's since in order.
   */
  async function listSmallBySince(query: AgentListQuery, smallest: string): Promise<AgentListPage> {
    const members = await redis.zrange(keys.agentsByTag(smallest), 0, -1);
    const kept: string[] = [];
    for (let i = 0; i < members.length; i += SCAN_BATCH) {
      kept.push(
        ...(await filter(
          members.slice(i, i + SCAN_BATCH),
          query.tags.filter((t) => t !== smallest),
        )),
      );
    }
    const since: (string | null)[] = [];
    for (let i = 0; i < kept.length; i += SCAN_BATCH) {
      since.push(...(await redis.zmscore(keys.agentsByStateSince(), ...kept.slice(i, i + SCAN_BATCH))));
    }
    const after = query.after;
    const rows = kept
      .map((agentId, i) => ({ agentId, stateSince: Number(since[i]) }))
      .filter((r, i) => since[i] !== null && since[i] !== undefined)
      .sort(
        (a, b) => a.stateSince - b.stateSince || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0),
      )
      .filter(
        (r) =>
          after === undefined ||
          r.stateSince > (after.since ?? 0) ||
          (r.stateSince === (after.since ?? 0) && r.agentId > after.id),
      );
    const agents = rows.slice(0, query.limit);
    const last = agents[agents.length - 1];
    return {
      agents,
      next: rows.length > query.limit && last ? { id: last.agentId, since: last.stateSince } : null,
    };
  }

  async function listBySince(query: AgentListQuery): Promise<AgentListPage> {
    if (query.tags.length > 0) {
      const sizes = await Promise.all(query.tags.map((t) => redis.zcard(keys.agentsByTag(t))));
      const min = Math.min(...sizes);
      const smallest = query.tags[sizes.indexOf(min)];
      if (smallest !== undefined && min <= smallSetMax) return listSmallBySince(query, smallest);
    }
    const out: { agentId: string; stateSince: number }[] = [];
    let rank = await startRank(query.after);
    for (;;) {
      const flat = await redis.zrange(keys.agentsByStateSince(), rank, rank + SCAN_BATCH - 1, 'WITHSCORES');
      const pairs: { agentId: string; stateSince: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        pairs.push({ agentId: flat[i] ?? '', stateSince: Number(flat[i + 1]) });
      }
      const kept = new Set(
        await filter(
          pairs.map((p) => p.agentId),
          query.tags,
        ),
      );
      for (const p of pairs) {
        if (!kept.has(p.agentId)) continue;
        if (out.length === query.limit) {
          const last = out[out.length - 1];
          return { agents: out, next: last ? { id: last.agentId, since: last.stateSince } : null };
        }
        out.push(p);
      }
      if (pairs.length < SCAN_BATCH) return { agents: out, next: null };
      rank += SCAN_BATCH;
    }
  }

  /** Name order over a small filtered set: the set's profiles read whole and sorted here. */
  async function listSmallByName(query: AgentListQuery, smallest: string): Promise<AgentListPage> {
    const members = await redis.zrange(keys.agentsByTag(smallest), 0, -1);
    const others = query.tags.filter((t) => t !== smallest);
    const rows: { agentId: string; key: string }[] = [];
    for (let i = 0; i < members.length; i += SCAN_BATCH) {
      const kept = await filter(members.slice(i, i + SCAN_BATCH), others);
      if (kept.length === 0) continue;
      const texts = await redis.hmget(keys.agentProfiles(), ...kept);
      kept.forEach((agentId, j) => {
        const key = sortKeyOf(texts[j]);
        if (key !== undefined) rows.push({ agentId, key });
      });
    }
    const after = query.after?.name;
    const sorted = rows
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .filter((r) => after === undefined || r.key > after);
    return namePage(sorted.slice(0, query.limit + 1), query.limit);
  }

  async function namePage(rows: { agentId: string; key: string }[], limit: number): Promise<AgentListPage> {
    const shown = rows.slice(0, limit);
    const since = await sinceOf(shown.map((r) => r.agentId));
    const last = shown[shown.length - 1];
    return {
      agents: shown.map((r, i) => ({ agentId: r.agentId, stateSince: since[i] ?? null })),
      next: rows.length > limit && last ? { id: last.agentId, name: last.key } : null,
    };
  }

  async function listByName(query: AgentListQuery): Promise<AgentListPage> {
    if (query.tags.length > 0) {
      const [named, ...sizes] = await Promise.all([
        redis.zcard(keys.agentsByName()),
        ...query.tags.map((t) => redis.zcard(keys.agentsByTag(t))),
      ]);
      const min = Math.min(...sizes);
      const smallest = query.tags[sizes.indexOf(min)];
      // Walking the name index reads about (limit + 1) x named / min names for one page; sorting the smallest set
      // reads its min profiles. Sort in memory only when that is the cheaper (a small or selective filter).
      const cheaper = min <= SMALL_NAME_SET || min * min <= (query.limit + 1) * (named ?? 0);
      if (smallest !== undefined && min <= smallSetMax && cheaper) return listSmallByName(query, smallest);
    }
    const rows: { agentId: string; key: string }[] = [];
    let min = query.after?.name === undefined ? '-' : `(${query.after.name}`;
    for (;;) {
      const batch = await redis.zrangebylex(keys.agentsByName(), min, '+', 'LIMIT', 0, SCAN_BATCH);
      const kept = new Set(await filter(batch.map(agentOfNameKey), query.tags));
      for (const key of batch) {
        const agentId = agentOfNameKey(key);
        if (!kept.has(agentId)) continue;
        rows.push({ agentId, key });
        if (rows.length > query.limit) return namePage(rows, query.limit);
      }
      const tail = batch[batch.length - 1];
      if (batch.length < SCAN_BATCH || tail === undefined) return namePage(rows, query.limit);
      min = `(${tail}`;
    }
  }

  return {
    async sync(agentId, version, state, at, tags, syncOptions = {}) {
      validateId('agent id', agentId);
      for (const tag of tags) validateId('tag', tag);
      const since = await redis.lockstepIndexAgent(
        keys.agentTags(),
        keys.agentsByStateSince(),
        agentId,
        tagPrefix,
        state,
        at,
        [...tags].sort().join('\n'),
        version,
        syncOptions.keepMemberships === true ? MEMBERSHIP_KINDS : '',
      );
      return Number(since);
    },
    async list(query) {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) {
        throw new InvalidInputError('limit must be an integer in 1..1000');
      }
      for (const tag of query.tags) validateId('tag', tag);
      if (query.after) validateId('cursor id', query.after.id);
      if (query.sort === 'name') return listByName(query);
      return query.sort === 'id' ? listById(query) : listBySince(query);
    },
  };
}

/**
 * Indexes every agent whose index entry is missing or older than its committed version: agents committed before
 * the indexes existed, or whose index update a crash lost after the commit. Keeps the extra tags (queue, MU,
 * division) the entry had. Meant for startup; resolves to the number of agents indexed.
 */
/** The name index member a stored profile names, `undefined` when unreadable. */
function sortKeyOf(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const doc = JSON.parse(text) as { sortKey?: unknown };
    return typeof doc.sortKey === 'string' ? doc.sortKey : undefined;
  } catch {
    return undefined;
  }
}

export async function repairAgentIndex(options: {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Agents read per round. Default 500. */
  readonly pageSize?: number;
}): Promise<number> {
  const { redis, keys } = options;
  const pageSize = options.pageSize ?? 500;
  const index = createAgentIndex({ redis, keys });
  let repaired = 0;
  let min = '-';
  for (;;) {
    const ids = await redis.zrangebylex(keys.agentsIndex(), min, '+', 'LIMIT', 0, pageSize);
    const lines = ids.length === 0 ? [] : await redis.hmget(keys.agentTags(), ...ids);
    const versions = await Promise.all(ids.map((id) => redis.hget(keys.agent(id), 'v')));
    // Only agents whose entry is missing or older are read in full (a start-up pass stays cheap).
    const stale = ids.flatMap((agentId, i) => {
      const version = Number(versions[i]);
      const line = lines[i] ?? null;
      if (!versions[i] || !Number.isInteger(version)) return [];
      const [indexedVersion, , , tagText] = line === null ? [] : line.split('\t');
      return line !== null && Number(indexedVersion) >= version ? [] : [{ agentId, tagText }];
    });
    const records = await Promise.all(
      stale.map((a) => redis.hmget(keys.agent(a.agentId), 'v', 'state', 'signals', 'findings', 'at')),
    );
    for (const [i, { agentId, tagText }] of stale.entries()) {
      const [v, state, signals, findings, at] = records[i] ?? [];
      const extra = (tagText ?? '')
        .split('\n')
        .filter((t) => EXTRA_TAG_KINDS.some((k) => t.startsWith(`${k}:`)));
      let parsedSignals: unknown = null;
      let parsedFindings: FindingDoc[] = [];
      try {
        parsedSignals = JSON.parse(signals ?? 'null');
        const f = JSON.parse(findings ?? '[]') as unknown;
        parsedFindings = Array.isArray(f) ? (f as FindingDoc[]) : [];
      } catch {
        // A corrupt document indexes the agent without the tags it would give.
      }
      const tags = agentTags(parsedSignals, parsedFindings, extra);
      await index.sync(agentId, Number(v), state ?? '', Number(at) || 0, tags);
      repaired++;
    }
    const last = ids[ids.length - 1];
    if (ids.length < pageSize || last === undefined) return repaired;
    min = `(${last}`;
  }
}
