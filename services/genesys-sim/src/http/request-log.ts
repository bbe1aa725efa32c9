import type { AgentInteraction, SimWorld } from '../world/contract.js';

/** What one agent was doing when a state-changing request for it reached the world. */
export interface AgentAtArrival {
  readonly id: string;
  /** Alerting, connected, held or in wrap-up interactions, on any media. */
  readonly interactions: readonly AgentInteraction[];
  readonly presence: string | null;
  readonly routingStatus: string | null;
}

/** One state-changing `/api/v2` request (every method but GET, HEAD and OPTIONS; the schedule search is a read). */
export interface LoggedRequest {
  /** 1, 2, ... in arrival order. */
  readonly seq: number;
  /** Wire time of arrival (the world clock every event uses), ISO and epoch ms. */
  readonly at: string;
  readonly atMs: number;
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly clientId: string | null;
  /** Agents the request names: the path's user id, or the `id`s of a bulk presence body. */
  agentIds: string[];
  agents: AgentAtArrival[];
  /**
   * The parsed JSON body when it serialises to at most `MAX_LOGGED_BODY_CHARS` characters; absent when the request
   * had none, was refused before it was read, or was larger.
   */
  body?: unknown;
  /** Whether any named agent had an interaction when the request arrived. */
  midInteraction: boolean;
  /** The answer's status (0 until answered). */
  status: number;
}

export interface RequestLogFilter {
  /** Wire epoch ms; only requests that arrived at or after it. */
  readonly sinceMs?: number;
  readonly method?: string;
  /** Substring of the path. */
  readonly path?: string;
  readonly agentId?: string;
  readonly clientId?: string;
  readonly status?: number;
  readonly midInteraction?: boolean;
}

export interface RequestLog {
  /**
   * Opens an entry when a request arrives; `undefined` when the request is not state-changing (unless `reads`:
   * then reads are kept too).
   */
  open(method: string, url: string, reads?: boolean): LoggedRequest | undefined;
  /** Names the agents of an entry and records what each was doing at this moment. */
  name(entry: LoggedRequest, agentIds: readonly string[]): void;
  /** Keeps a small parsed body with its entry. */
  body(entry: LoggedRequest, body: unknown): void;
  /** Closes an entry with the answer's status and client, and keeps it. */
  close(entry: LoggedRequest, status: number, clientId: string | undefined): void;
  list(filter?: RequestLogFilter): LoggedRequest[];
  /** Entries forgotten because the log was full. */
  readonly dropped: number;
  clear(): void;
}

const TRIM_BATCH = 1_000;
/** Largest body kept with an entry (serialised), so a full log stays within a few hundred MB at worst. */
export const MAX_LOGGED_BODY_CHARS = 2_048;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const USER_PATH = /^\/api\/v2\/users\/([^/]+)\//;

/** Keeps the last `capacity` state-changing requests, each with its agents' interaction state on arrival. */
export function createRequestLog(world: SimWorld, capacity = 100_000): RequestLog {
  let entries: LoggedRequest[] = [];
  let seq = 0;
  let dropped = 0;

  const atArrival = (id: string): AgentAtArrival => {
    if (!world.hasUser(id)) return { id, interactions: [], presence: null, routingStatus: null };
    const presence = world.getUserPresence(id) as { presenceDefinition?: { systemPresence?: string } };
    const routing = world.getRoutingStatus(id) as { status?: string };
    return {
      id,
      interactions: world.agentInteractions(id),
      presence: presence.presenceDefinition?.systemPresence ?? null,
      routingStatus: routing.status ?? null,
    };
  };

  const name = (entry: LoggedRequest, agentIds: readonly string[]): void => {
    entry.agentIds = [...agentIds];
    entry.agents = agentIds.map(atArrival);
    entry.midInteraction = entry.agents.some((a) => a.interactions.length > 0);
  };

  return {
    name,
    body(entry, body) {
      if (body === undefined) return;
      const text = JSON.stringify(body);
      if (text.length <= MAX_LOGGED_BODY_CHARS) entry.body = JSON.parse(text) as unknown;
    },
    open(method, url, reads = false) {
      if ((!reads && READS.has(method)) || !url.startsWith('/api/v2/')) return undefined;
      const path = url.split('?')[0] ?? url;
      if (!reads && path.endsWith('/agentschedules/search')) return undefined;
      const atMs = world.now();
      const entry: LoggedRequest = {
        seq: ++seq,
        at: new Date(atMs).toISOString(),
        atMs,
        method,
        path,
        clientId: null,
        agentIds: [],
        agents: [],
        midInteraction: false,
        status: 0,
      };
      const user = USER_PATH.exec(path)?.[1];
      if (user !== undefined && user !== 'presences') {
        let id = user;
        try {
          id = decodeURIComponent(user);
        } catch {
          // A malformed id names no agent; the answer says so.
        }
        name(entry, [id]);
      } else if (reads && method === 'GET') {
        // A read of users by id (`?id=a&id=b` or `?id=a,b`) names them.
        const ids = new URLSearchParams(url.slice(path.length + 1))
          .getAll('id')
          .flatMap((v) => v.split(','))
          .filter((v) => v !== '');
        if (ids.length > 0) name(entry, ids);
      }
      return entry;
    },
    close(entry, status, clientId) {
      entry.status = status;
      (entry as { clientId: string | null }).clientId = clientId ?? null;
      entries.push(entry);
      // Trimmed in batches, so a full log costs O(1) per request on average.
      if (entries.length > capacity + TRIM_BATCH) {
        const excess = entries.length - capacity;
        entries = entries.slice(excess);
        dropped += excess;
      }
    },
    list(f = {}) {
      const kept = entries.length > capacity ? entries.slice(entries.length - capacity) : entries;
      return kept.filter(
        (e) =>
          (f.sinceMs === undefined || e.atMs >= f.sinceMs) &&
          (f.method === undefined || e.method === f.method.toUpperCase()) &&
          (f.path === undefined || e.path.includes(f.path)) &&
          (f.agentId === undefined || e.agentIds.includes(f.agentId)) &&
          (f.clientId === undefined || e.clientId === f.clientId) &&
          (f.status === undefined || e.status === f.status) &&
          (f.midInteraction === undefined || e.midInteraction === f.midInteraction),
      );
    },
    get dropped() {
      return dropped + Math.max(0, entries.length - capacity);
    },
    clear() {
      entries = [];
      dropped = 0;
    },
  };
}
