import { SelectorError } from './errors.js';

/** Kinds of selector items: one user, the members of a queue, the users of a division or of a WFM management unit. */
export const SELECTOR_KINDS = ['user', 'queue', 'division', 'mu'] as const;
export type SelectorKind = (typeof SELECTOR_KINDS)[number];

/** Which agents the engine tracks, item by item (the union of all items). */
export interface AgentSelector {
  readonly users: readonly string[];
  readonly queues: readonly string[];
  readonly divisions: readonly string[];
  readonly managementUnits: readonly string[];
}

// Genesys ids are GUIDs; accept any id that is also safe as a Redis key part and a topic segment.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Parses `user:<id>,queue:<id>,division:<id>,mu:<id>` (comma-separated, whitespace around items ignored,
 * duplicates removed). Pure. Throws `SelectorError` listing EVERY bad item, or when nothing is selected.
 */
export function parseSelector(text: string): AgentSelector {
  const problems: string[] = [];
  const sets: Record<SelectorKind, Set<string>> = {
    user: new Set(),
    queue: new Set(),
    division: new Set(),
    mu: new Set(),
  };
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const item of items) {
    const colon = item.indexOf(':');
    const kind = colon === -1 ? '' : item.slice(0, colon).toLowerCase();
    const id = colon === -1 ? '' : item.slice(colon + 1).trim();
    if (!(SELECTOR_KINDS as readonly string[]).includes(kind)) {
      problems.push(
        `${JSON.stringify(item.slice(0, 80))}: expected <kind>:<id> with kind ${SELECTOR_KINDS.join('|')}`,
      );
      continue;
    }
    if (!ID.test(id)) {
      problems.push(
        `${JSON.stringify(item.slice(0, 80))}: the id must be 1-200 letters, digits, '.', '_' or '-'`,
      );
      continue;
    }
    sets[kind as SelectorKind].add(id);
  }
  if (items.length === 0) problems.push('no agents selected (give at least one item, e.g. queue:<id>)');
  if (problems.length > 0) throw new SelectorError(problems);
  return Object.freeze({
    users: Object.freeze([...sets.user]),
    queues: Object.freeze([...sets.queue]),
    divisions: Object.freeze([...sets.division]),
    managementUnits: Object.freeze([...sets.mu]),
  });
}

/** A shard of the agent space: this engine owns the agents whose id hashes to `index` modulo `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `<i>/<n>` with 0 <= i < n <= 1024. Pure. Throws `SelectorError` otherwise. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 1024 || index >= count) {
    throw new SelectorError([
      `shard ${JSON.stringify(text.slice(0, 40))}: expected <i>/<n> with 0 <= i < n <= 1024`,
    ]);
  }
  return Object.freeze({ index, count });
}

/** Whether `agentId` belongs to `shard` (FNV-1a of the lower-cased id, stable across processes). Pure. */
export function inShard(agentId: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  let hash = 0x811c9dc5;
  const id = agentId.toLowerCase();
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shard.count === shard.index;
}
