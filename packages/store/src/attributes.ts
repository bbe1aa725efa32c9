import { decodeJson, encodeJson } from './codec.js';
import { findingMember } from './findings-index.js';
import { type Keys, validateId } from './keys.js';
import type { RedisClient } from './scripts.js';

export interface AttributesStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
}

/** One finding's reference: the agent and the finding id. */
export interface FindingRef {
  readonly agentId: string;
  readonly findingId: string;
}

/**
 * Agent attributes for incident grouping. The store keeps them as JSON objects and reads no field.
 * - The baseline: one hash (`{agents}:attributes`) with every watched agent's current attributes, written by the
 *   engine that owns the agent when they change, read whole with one HGETALL (no keyspace SCAN).
 * - The attributes at opening time: one hash (`{findings}:attributes`) keyed like the open-findings index
 *   (`<agentId>|<findingId>`), written once when a finding opens (first write wins) and removed once the finding
 *   is resolved and grouped.
 */
export interface AttributesStore {
  /** Sets the current attributes of these agents (one HSET). */
  writeAgents(attributes: ReadonlyMap<string, unknown>): Promise<void>;
  /** Removes agents no longer watched from the baseline. */
  removeAgents(agentIds: readonly string[]): Promise<void>;
  /** Every watched agent's attributes, by agent id. Unreadable entries are skipped. */
  readAgents(): Promise<Map<string, unknown>>;
  /** Records the attributes of findings that just opened; an entry already there is kept (first write wins). */
  captureFindings(entries: ReadonlyArray<FindingRef & { readonly attributes: unknown }>): Promise<void>;
  /** The attributes captured for these findings (`undefined` where none was captured or it is unreadable). */
  readFindings(refs: readonly FindingRef[]): Promise<Array<unknown>>;
  /** Removes the captured attributes of findings that are no longer open. */
  dropFindings(refs: readonly FindingRef[]): Promise<void>;
}

function tryDecode(what: string, text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return decodeJson(what, text);
  } catch {
    return undefined;
  }
}

/** Creates the attributes store. Does not own or close the client. */
export function createAttributesStore(options: AttributesStoreOptions): AttributesStore {
  const { redis, keys } = options;
  const member = (ref: FindingRef) =>
    findingMember(validateId('agent id', ref.agentId), validateId('finding id', ref.findingId));

  return {
    async writeAgents(attributes) {
      if (attributes.size === 0) return;
      const args: string[] = [];
      for (const [agentId, value] of attributes) {
        args.push(validateId('agent id', agentId), encodeJson(`agent ${agentId} attributes`, value));
      }
      await redis.hset(keys.agentAttributes(), ...args);
    },
    async removeAgents(agentIds) {
      if (agentIds.length === 0) return;
      await redis.hdel(keys.agentAttributes(), ...agentIds.map((id) => validateId('agent id', id)));
    },
    async readAgents() {
      const all = await redis.hgetall(keys.agentAttributes());
      const out = new Map<string, unknown>();
      for (const [agentId, text] of Object.entries(all)) {
        const value = tryDecode(`agent ${agentId} attributes`, text);
        if (value !== undefined) out.set(agentId, value);
      }
      return out;
    },
    async captureFindings(entries) {
      if (entries.length === 0) return;
      const key = keys.findingAttributes();
      const tx = redis.multi();
      for (const e of entries)
        tx.hsetnx(key, member(e), encodeJson(`finding ${e.findingId} attributes`, e.attributes));
      const results = await tx.exec();
      for (const [err] of results ?? []) if (err) throw err;
    },
    async readFindings(refs) {
      if (refs.length === 0) return [];
      const texts = await redis.hmget(keys.findingAttributes(), ...refs.map(member));
      return texts.map((text, i) => tryDecode(`finding ${refs[i]?.findingId ?? ''} attributes`, text));
    },
    async dropFindings(refs) {
      if (refs.length === 0) return;
      await redis.hdel(keys.findingAttributes(), ...refs.map(member));
    },
  };
}
