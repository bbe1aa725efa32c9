import { EventError, type Problem } from '../errors.js';
import { parseAgentEvent } from '../events.js';
import { tryNormalizeSystemPresence } from '../presence.js';

/** Most agents one bulk declaration may name. */
export const MAX_BULK_DECLARATIONS = 1_000;

/** One item of a bulk declaration, as received; fields absent here come from the bulk's defaults. */
export type BulkItemInput = Readonly<Record<string, unknown>>;

/** One agent's declaration that passed validation: the body of its `declare` command. */
export interface AcceptedDeclaration {
  readonly index: number;
  readonly agentId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** One item refused on its own (the others go on). */
export interface RefusedDeclaration {
  readonly index: number;
  /** The item's agent id, when it had a usable one. */
  readonly agentId: string | null;
  readonly problems: readonly Problem[];
}

export interface BulkDeclaration {
  readonly accepted: readonly AcceptedDeclaration[];
  readonly refused: readonly RefusedDeclaration[];
}

const SHARED = [
  'presence',
  'definitionId',
  'validFrom',
  'validUntil',
  'ttlMs',
  'reason',
  'by',
  'overridesSchedule',
];
const AGENT_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Validates a bulk declaration `{ by, at, presence?, validFrom?, validUntil?, ttlMs?, reason?, definitionId?,
 * overridesSchedule?, declarations: [{ agentId, ...the same fields, declarationId? }] }`: each item takes the
 * bulk's fields unless it gives its own, and becomes the body of one `declare` command (a desired-state DECLARE
 * without its `type`). Pure. A bad item is refused on its own with every problem; an agent named twice is
 * refused the second time (one outcome per agent). Throws `EventError` only when the bulk itself is unusable
 * (not an object, no list, more than {@link MAX_BULK_DECLARATIONS} items).
 */
export function parseBulkDeclaration(input: unknown, now: number): BulkDeclaration {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EventError([{ path: '', message: 'a bulk declaration is an object' }]);
  }
  const bulk = input as Record<string, unknown>;
  const items = bulk.declarations;
  if (!Array.isArray(items)) throw new EventError([{ path: 'declarations', message: 'expected an array' }]);
  if (items.length === 0 || items.length > MAX_BULK_DECLARATIONS) {
    throw new EventError([
      {
        path: 'declarations',
        message: `between 1 and ${MAX_BULK_DECLARATIONS} declarations, got ${items.length}`,
      },
    ]);
  }
  const defaults: Record<string, unknown> = {};
  for (const key of SHARED) if (bulk[key] !== undefined) defaults[key] = bulk[key];
  const at = typeof bulk.at === 'number' ? bulk.at : now;
  const accepted: AcceptedDeclaration[] = [];
  const refused: RefusedDeclaration[] = [];
  const seen = new Set<string>();
  items.forEach((raw: unknown, index) => {
    const item = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as BulkItemInput;
    const { agentId: rawAgent, ...fields } = item;
    const agentId = typeof rawAgent === 'string' && AGENT_ID.test(rawAgent) ? rawAgent : null;
    const problems: Problem[] = [];
    if (agentId === null)
      problems.push({ path: 'agentId', message: 'an agent id (letters, digits, . _ : -)' });
    else if (seen.has(agentId))
      problems.push({ path: 'agentId', message: 'agent declared twice in this bulk' });
    else seen.add(agentId);
    const body: Record<string, unknown> = { ...defaults, ...fields, at };
    if (typeof body.presence === 'string')
      body.presence = tryNormalizeSystemPresence(body.presence) ?? body.presence;
    if (problems.length === 0) {
      try {
        parseAgentEvent({ ...body, type: 'DECLARE', validFrom: body.validFrom ?? at });
        body.validFrom ??= at;
      } catch (err) {
        if (!(err instanceof EventError)) throw err;
        problems.push(...err.problems);
      }
    }
    if (problems.length > 0) refused.push({ index, agentId, problems });
    else if (agentId !== null) accepted.push({ index, agentId, body });
  });
  return { accepted, refused };
}
