import type { CorrectionTarget } from '@lockstep/domain';
import { type GenesysApi, isGenesysError } from '@lockstep/genesys';

/** A correction request exactly as sent (or as a dry run would have sent it). */
export interface CorrectionRequest {
  readonly method: 'PUT' | 'PATCH';
  readonly path: string;
  readonly body: unknown;
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

/** Sends a built request through the adapter (paced, re-logged in on 401). Never throws. */
export async function sendRequest(
  users: Pick<GenesysApi['users'], 'putRoutingStatus' | 'patchPresence'>,
  agentId: string,
  request: CorrectionRequest,
): Promise<RequestResult> {
  try {
    const body = request.body as { status?: string; presenceDefinition?: { id: string } };
    if (request.method === 'PUT') await users.putRoutingStatus(agentId, body.status ?? '');
    else await users.patchPresence(agentId, body.presenceDefinition?.id ?? '');
    return { ok: true, status: 200, correlationId: null, retryAfterMs: null, error: null };
  } catch (err) {
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
}
