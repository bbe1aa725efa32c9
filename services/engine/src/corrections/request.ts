import type { CorrectionTarget } from '@lockstep/domain';
import { type GenesysApi, isGenesysError, type Sent } from '@lockstep/genesys';

/** The Genesys write calls corrections use (each resolves its status and `inin-correlation-id`). */
export type CorrectionUsers = Pick<
  GenesysApi['users'],
  'putRoutingStatusSent' | 'patchPresenceSent' | 'putPresencesBulk'
>;

/** The path of the bulk presence write (reference §4.2). */
export const BULK_PRESENCE_PATH = '/api/v2/users/presences/bulk';

/**
 * A correction request exactly as sent (or as a dry run would have sent it). For a bulk presence write, `body` is
 * this agent's item of the request and `batchSize` the number of agents the request carried.
 */
export interface CorrectionRequest {
  readonly method: 'PUT' | 'PATCH';
  readonly path: string;
  readonly body: unknown;
  readonly batchSize?: number;
}

/** What the platform answered. `status` is `null` without an HTTP response. */
export interface RequestResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly correlationId: string | null;
  /** On a 429: how long the platform asked to wait. */
  readonly retryAfterMs: number | null;
  readonly error: string | null;
}

/** One agent's presence in a bulk write. */
export interface BulkItem {
  readonly agentId: string;
  readonly definitionId: string;
}

/**
 * The request of a correction (`set-presence` needs the org's definition id). Pure. Absolute, never a toggle:
 * `PUT /api/v2/users/{id}/routingstatus` or `PATCH /api/v2/users/{id}/presences/purecloud`.
 */
export function buildRequest(
  agentId: string,
  target: CorrectionTarget,
  definitionId: string | null,
): CorrectionRequest | null {
  const user = encodeURIComponent(agentId);
  switch (target.kind) {
    case 'set-routing-status':
      return {
        method: 'PUT',
        path: `/api/v2/users/${user}/routingstatus`,
        body: { status: target.target.status },
      };
    case 'set-presence': {
      const id = target.target.definitionId ?? definitionId;
      if (id === null) return null;
      return {
        method: 'PATCH',
        path: `/api/v2/users/${user}/presences/purecloud`,
        body: { presenceDefinition: { id } },
      };
    }
    case 'disassociate-station':
      return null;
  }
}

/** The presence definition id of a built presence PATCH, or `null` for any other request. Pure. */
export function presenceDefinitionOf(request: CorrectionRequest): string | null {
  if (request.method !== 'PATCH') return null;
  const id = (request.body as { presenceDefinition?: { id?: unknown } }).presenceDefinition?.id;
  return typeof id === 'string' ? id : null;
}

/** Each agent's share of one bulk presence write, as the audit shows it. Pure. */
export function bulkRequests(items: readonly BulkItem[]): CorrectionRequest[] {
  return items.map((i) => ({
    method: 'PUT',
    path: BULK_PRESENCE_PATH,
    body: { id: i.agentId, presenceDefinition: { id: i.definitionId }, source: 'PURECLOUD' },
    batchSize: items.length,
  }));
}

const okResult = (sent: Sent<unknown>): RequestResult => ({
  ok: true,
  status: sent.status ?? 200,
  correlationId: sent.correlationId,
  retryAfterMs: null,
  error: null,
});

function failedResult(err: unknown): RequestResult {
  if (isGenesysError(err)) {
    return {
      ok: false,
      status: err.details.status ?? null,
      correlationId: err.details.correlationId ?? null,
      retryAfterMs: err.details.retryAfterMs ?? null,
      error: err.code,
    };
  }
  return { ok: false, status: null, correlationId: null, retryAfterMs: null, error: String(err) };
}

/** Sends a built single-agent request through the adapter (paced, re-logged in on 401). Never throws. */
export async function sendRequest(
  users: CorrectionUsers,
  agentId: string,
  request: CorrectionRequest,
): Promise<RequestResult> {
  try {
    const body = request.body as { status?: string; presenceDefinition?: { id: string } };
    const sent =
      request.method === 'PUT'
        ? await users.putRoutingStatusSent(agentId, body.status ?? '')
        : await users.patchPresenceSent(agentId, body.presenceDefinition?.id ?? '');
    return okResult(sent);
  } catch (err) {
    return failedResult(err);
  }
}

/**
 * Sends one bulk presence write for `items` and answers one result per item, in order. An item the answer does
 * not list (by its user id, else by its position) is not taken as applied (`status: null`). Never throws.
 */
export async function sendBulk(users: CorrectionUsers, items: readonly BulkItem[]): Promise<RequestResult[]> {
  try {
    const sent = await users.putPresencesBulk(
      items.map((i) => ({ userId: i.agentId, definitionId: i.definitionId })),
    );
    const answered = Array.isArray(sent.value) ? sent.value : [];
    const byUser = new Map<string, unknown>();
    for (const p of answered) {
      const id = (p as { user?: { id?: unknown } }).user?.id;
      if (typeof id === 'string') byUser.set(id, p);
    }
    return items.map((item, i) => {
      const answer = byUser.size > 0 ? byUser.get(item.agentId) : answered[i];
      const definition = (answer as { presenceDefinition?: { id?: unknown } } | undefined)?.presenceDefinition
        ?.id;
      if (answer === undefined || (definition !== undefined && definition !== item.definitionId)) {
        // No answer for this agent: like a request without a response, it is guarded and sent again later.
        return { ...okResult(sent), ok: false, status: null, error: 'not in the bulk answer' };
      }
      return okResult(sent);
    });
  } catch (err) {
    const result = failedResult(err);
    return items.map(() => result);
  }
}
