import { encodeJson } from './codec.js';
import { InvalidInputError } from './errors.js';
import { type Keys, validateId } from './keys.js';
import { defineScripts, type RedisClient } from './scripts.js';
import { EXTRA_TAG_KINDS } from './tags.js';

/**
 * The agent directory: one profile per watched agent (its name and the queues, division and management unit it
 * belongs to), a name index for listing agents by name, and the membership tags (`queue:<id>`, `mu:<id>`,
 * `division:<id>`) of the agent-list indexes. The engine that owns an agent writes it off the commit path; the
 * admin API and the notifier read it. Every key shares the `{agents}` hash tag, so one script updates them all.
 */

/** Longest stored name (longer names are cut by the writer). */
export const MAX_NAME_LENGTH = 256;

/** One watched agent's directory entry. */
export interface AgentProfileDoc {
  readonly agentId: string;
  /** The name Genesys Cloud gives the user, `null` until a read said it. */
  readonly name: string | null;
  /** The selected queues the agent is a member of, sorted. */
  readonly queueIds: readonly string[];
  readonly divisionId: string | null;
  readonly managementUnitId: string | null;
  /** When this profile last changed (epoch ms): not when it was last confirmed. */
  readonly updatedAt: number;
}

/** Sort key of agents whose name is unknown: after every name (the highest code point). */
const UNNAMED = '\u{10FFFF}';

/**
 * Where an agent sits in the name index: its name case-folded with whitespace collapsed, a tab, its id (so equal
 * names keep a stable order). Agents without a name come last, by id. Pure.
 */
export function nameSortKey(name: string | null, agentId: string): string {
  const folded =
    name === null
      ? ''
      : name
          .normalize('NFKC')
          .toLowerCase()
          .replace(/[\s\p{Cc}]+/gu, ' ')
          .trim();
  return `${folded === '' ? UNNAMED : folded}\t${agentId}`;
}

/** The agent id a name index member holds. Pure. */
export function agentOfNameKey(member: string): string {
  return member.slice(member.lastIndexOf('\t') + 1);
}

/** The membership tags of a profile, sorted. Pure. */
export function membershipTags(
  profile: Pick<AgentProfileDoc, 'queueIds' | 'divisionId' | 'managementUnitId'>,
) {
  const tags = new Set<string>(profile.queueIds.map((q) => `queue:${q}`));
  if (profile.managementUnitId !== null) tags.add(`mu:${profile.managementUnitId}`);
  if (profile.divisionId !== null) tags.add(`division:${profile.divisionId}`);
  return [...tags].sort();
}

const KINDS = EXTRA_TAG_KINDS.map((k) => `${k}:`).join('\n');

function validate(p: AgentProfileDoc): AgentProfileDoc {
  validateId('agent id', p.agentId);
  if (p.name !== null && (typeof p.name !== 'string' || p.name.length > MAX_NAME_LENGTH)) {
    throw new InvalidInputError(
      `agent ${p.agentId}: name must be null or a string of at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!Array.isArray(p.queueIds))
    throw new InvalidInputError(`agent ${p.agentId}: queueIds must be an array`);
  for (const q of p.queueIds) validateId('queue id', q);
  if (p.divisionId !== null) validateId('division id', p.divisionId);
  if (p.managementUnitId !== null) validateId('management unit id', p.managementUnitId);
  if (!Number.isFinite(p.updatedAt))
    throw new InvalidInputError(`agent ${p.agentId}: updatedAt must be finite`);
  return {
    agentId: p.agentId,
    name: p.name,
    queueIds: [...new Set(p.queueIds)].sort(),
    divisionId: p.divisionId,
    managementUnitId: p.managementUnitId,
    updatedAt: p.updatedAt,
  };
}

/** Whether two profiles say the same, `updatedAt` aside. Pure. */
function sameContent(a: AgentProfileDoc, b: AgentProfileDoc): boolean {
  return (
    a.name === b.name &&
    a.divisionId === b.divisionId &&
    a.managementUnitId === b.managementUnitId &&
    a.queueIds.length === b.queueIds.length &&
    a.queueIds.every((q, i) => q === b.queueIds[i])
  );
}

/** Profiles written per pipeline. */
const BATCH = 500;

function decode(agentId: string, text: string | null | undefined): AgentProfileDoc | null {
  if (text === null || text === undefined) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    agentId,
    name: str(d.name),
    queueIds: Array.isArray(d.queueIds) ? d.queueIds.filter((q): q is string => typeof q === 'string') : [],
    divisionId: str(d.divisionId),
    managementUnitId: str(d.managementUnitId),
    updatedAt: typeof d.updatedAt === 'number' ? d.updatedAt : 0,
  };
}

export interface AgentProfiles {
  /**
   * Writes these profiles, each atomically with its name index entry and membership tags (one script per agent,
   * pipelined). A profile whose content is the stored one keeps the stored `updatedAt`. Throws
   * `InvalidInputError` (nothing written) when one is invalid.
   */
  write(profiles: readonly AgentProfileDoc[]): Promise<void>;
  /** Removes these agents' profiles, name index entries and membership tags (agents no longer watched). */
  remove(agentIds: readonly string[]): Promise<void>;
  /** The profiles of these agents, in order (`null` where none is stored or it is unreadable). */
  read(agentIds: readonly string[]): Promise<(AgentProfileDoc | null)[]>;
}

/** Creates the directory store. Registers the Lua scripts on `redis`; does not own or close the client. */
export function createAgentProfiles(options: {
  readonly redis: RedisClient;
  readonly keys: Keys;
}): AgentProfiles {
  const { redis, keys } = options;
  defineScripts(redis);
  const tagPrefix = keys.agentsByTag('x').slice(0, -1);

  type Call = readonly [agentId: string, json: string, member: string, tags: string];

  async function run(calls: readonly Call[]): Promise<void> {
    // Bounded pipelines: a new lease holder writes every agent of its shard at once.
    for (let i = 0; i < calls.length; i += BATCH) {
      // Every key is in the `{agents}` slot: one pipeline is fine on Cluster too.
      const pipe = redis.pipeline();
      for (const [agentId, json, member, tags] of calls.slice(i, i + BATCH)) {
        pipe.lockstepSetAgentProfile(
          keys.agentProfiles(),
          keys.agentsByName(),
          keys.agentTags(),
          agentId,
          tagPrefix,
          json,
          member,
          tags,
          KINDS,
        );
      }
      for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
    }
  }

  async function read(agentIds: readonly string[]): Promise<(AgentProfileDoc | null)[]> {
    if (agentIds.length === 0) return [];
    const texts = await redis.hmget(
      keys.agentProfiles(),
      ...agentIds.map((id) => validateId('agent id', id)),
    );
    return agentIds.map((id, i) => decode(id, texts[i]));
  }

  return {
    async write(profiles) {
      const given = profiles.map(validate);
      // A profile whose content did not change keeps its `updatedAt` (a restarted or new lease holder rewrites
      // every profile once): `updatedAt` says when it last changed.
      const stored = await read(given.map((d) => d.agentId));
      const calls = given.map((g, i): Call => {
        const before = stored[i] ?? null;
        const doc = before !== null && sameContent(before, g) ? { ...g, updatedAt: before.updatedAt } : g;
        const sortKey = nameSortKey(doc.name, doc.agentId);
        const tags = membershipTags(doc);
        for (const tag of tags) validateId('tag', tag);
        return [
          doc.agentId,
          encodeJson(`agent ${doc.agentId} profile`, { ...doc, sortKey }),
          sortKey,
          tags.join('\n'),
        ];
      });
      await run(calls);
    },
    async remove(agentIds) {
      await run(agentIds.map((id) => [validateId('agent id', id), '', '', ''] as const));
    },
    read,
  };
}
