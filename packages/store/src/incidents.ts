import { decodeJson, encodeJson, requirePositive } from './codec.js';
import { InvalidInputError } from './errors.js';
import { type Keys, validateId } from './keys.js';
import type { DirectEntry } from './outbox.js';
import type { RedisClient } from './scripts.js';

/**
 * An incident as stored. Only `id`, `status` and `updatedAt` are read by the store (for its indexes); every other
 * field is kept as given.
 */
export interface IncidentDoc {
  readonly id: string;
  readonly status: 'open' | 'resolved';
  readonly updatedAt: number;
  readonly [field: string]: unknown;
}

export type IncidentStatusFilter = 'open' | 'resolved' | 'all';

/** A page of incidents, newest change first; pass `cursor` back for the next page (`null`: done). */
export interface IncidentPage {
  readonly incidents: IncidentDoc[];
  readonly cursor: string | null;
}

export interface IncidentStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Resolved incidents kept (the oldest beyond it are deleted). Default 10,000. */
  readonly maxResolved?: number;
}

/**
 * Incidents in Redis, all in the `{incidents}` slot: documents in one hash, ids in sorted sets by status (score =
 * last change), and the outbox entries of changes stored but not yet published. Writes come from the incident
 * grouper (one process at a time, under its lease); `listIncidents` and `getIncident` serve the CLI and admin API.
 */
export interface IncidentStore {
  /**
   * Stores changed incidents and the outbox entries announcing them in one MULTI, so a change is never stored
   * without its announcement. Publish the entries with `pendingEntries`, then `clearPending`.
   */
  save(incidents: readonly IncidentDoc[], entries: readonly DirectEntry[]): Promise<void>;
  /** Entries saved and not yet cleared, oldest first. */
  pendingEntries(): Promise<DirectEntry[]>;
  /** Removes the first `count` pending entries (once published). */
  clearPending(count: number): Promise<void>;
  /** Every open incident. */
  openIncidents(): Promise<IncidentDoc[]>;
  /**
   * Incidents newest change first, `limit` per page (default 50, at most 500). Throws `InvalidInputError` on a bad
   * status, limit or cursor.
   */
  listIncidents(query?: {
    status?: IncidentStatusFilter;
    cursor?: string | null;
    limit?: number;
  }): Promise<IncidentPage>;
  /** One incident, or `null`. */
  getIncident(id: string): Promise<IncidentDoc | null>;
}

function encodeCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

function decodeCursor(cursor: string): { score: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && Number.isFinite(value[0]) && typeof value[1] === 'string') {
      return { score: value[0] as number, id: value[1] };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidInputError('cursor is not one returned by listIncidents');
}

function asIncident(id: string, text: string): IncidentDoc {
  const value = decodeJson(`incident ${id}`, text);
  return value as IncidentDoc;
}

/** Creates the incident store. Does not own or close the client. */
export function createIncidentStore(options: IncidentStoreOptions): IncidentStore {
  const { redis, keys } = options;
  const maxResolved = requirePositive('maxResolved', options.maxResolved ?? 10_000);

  async function docs(ids: readonly string[]): Promise<IncidentDoc[]> {
    if (ids.length === 0) return [];
    const texts = await redis.hmget(keys.incidents(), ...ids);
    const out: IncidentDoc[] = [];
    texts.forEach((text, i) => {
      if (text !== null) out.push(asIncident(ids[i] ?? '', text));
    });
    return out;
  }

  return {
    async save(incidents, entries) {
      if (incidents.length === 0 && entries.length === 0) return;
      const tx = redis.multi();
      for (const incident of incidents) {
        const id = validateId('incident id', incident.id);
        if (incident.status !== 'open' && incident.status !== 'resolved') {
          throw new InvalidInputError(`incident ${id}: status must be open or resolved`);
        }
        if (!Number.isFinite(incident.updatedAt)) {
          throw new InvalidInputError(`incident ${id}: updatedAt must be a finite epoch ms`);
        }
        const other = incident.status === 'open' ? 'resolved' : 'open';
        tx.hset(keys.incidents(), id, encodeJson(`incident ${id}`, incident));
        tx.zadd(keys.incidentsByStatus(incident.status), incident.updatedAt, id);
        tx.zrem(keys.incidentsByStatus(other), id);
        tx.zadd(keys.incidentsByStatus('all'), incident.updatedAt, id);
      }
      if (entries.length > 0) {
        tx.rpush(keys.incidentsPending(), ...entries.map((e) => encodeJson(`entry ${e.id}`, e)));
      }
      const results = await tx.exec();
      for (const [err] of results ?? []) if (err) throw err;
      // Bounded history: the oldest resolved incidents go.
      const excess = (await redis.zcard(keys.incidentsByStatus('resolved'))) - maxResolved;
      if (excess > 0) {
        const old = await redis.zrange(keys.incidentsByStatus('resolved'), 0, excess - 1);
        if (old.length > 0) {
          await redis
            .multi()
            .zrem(keys.incidentsByStatus('resolved'), ...old)
            .zrem(keys.incidentsByStatus('all'), ...old)
            .hdel(keys.incidents(), ...old)
            .exec();
        }
      }
    },
    async pendingEntries() {
      const texts = await redis.lrange(keys.incidentsPending(), 0, -1);
      return texts.map((text) => decodeJson('pending incident entry', text) as DirectEntry);
    },
    async clearPending(count) {
      if (count <= 0) return;
      await redis.ltrim(keys.incidentsPending(), count, -1);
    },
    async openIncidents() {
      return docs(await redis.zrange(keys.incidentsByStatus('open'), 0, -1));
    },
    async listIncidents(query = {}) {
      const status = query.status ?? 'all';
      const index = keys.incidentsByStatus(status);
      const limit = requirePositive('limit', query.limit ?? 50);
      if (limit > 500) throw new InvalidInputError('limit must be at most 500');
      const after = query.cursor ? decodeCursor(query.cursor) : null;
      const ids: Array<{ id: string; score: number }> = [];
      // Newest first; ties on score come in reverse id order, so the cursor is (score, id).
      let offset = 0;
      while (ids.length <= limit) {
        const batch = limit + 1;
        const reply = await redis.zrevrangebyscore(
          index,
          after === null ? '+inf' : after.score,
          '-inf',
          'WITHSCORES',
          'LIMIT',
          offset,
          batch,
        );
        for (let i = 0; i + 1 < reply.length; i += 2) {
          const id = reply[i] ?? '';
          const score = Number(reply[i + 1]);
          if (after !== null && score === after.score && id >= after.id) continue;
          ids.push({ id, score });
        }
        if (reply.length < batch * 2) break;
        offset += batch;
      }
      const page = ids.slice(0, limit);
      const more = ids.length > limit;
      const last = page[page.length - 1];
      return {
        incidents: await docs(page.map((p) => p.id)),
        cursor: more && last !== undefined ? encodeCursor(last.score, last.id) : null,
      };
    },
    async getIncident(id) {
      const text = await redis.hget(keys.incidents(), validateId('incident id', id));
      return text === null ? null : asIncident(id, text);
    },
  };
}
