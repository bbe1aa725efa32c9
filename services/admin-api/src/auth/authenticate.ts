import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { allows, type ApiKeys, type Principal, type Scope } from './api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request authenticated as; `null` on public routes. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Scope a route needs; routes without one are public (health, metrics, OpenAPI). */
    scope?: Scope;
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * Authenticates every route that declares a `scope`: `Authorization: Bearer <key>`; 401 when missing or wrong,
 * 403 when the key lacks the scope.
 */
export function installAuth(app: FastifyInstance, apiKeys: ApiKeys): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return;
    const match = BEARER.exec(request.headers.authorization ?? '');
    const principal = match?.[1] === undefined ? null : await apiKeys.verify(match[1]);
    if (principal === null) {
      void reply.header('www-authenticate', 'Bearer');
      throw new ApiError(
        'UNAUTHORIZED',
        match ? 'the API key is unknown or revoked' : 'send an API key as Authorization: Bearer <key>',
      );
    }
    if (!allows(principal.scopes, scope)) {
      throw new ApiError('FORBIDDEN', `this route needs the ${scope} scope`);
    }
    request.principal = principal;
  });
}

/** The authenticated principal of a route that declares a scope. */
export function principalOf(request: { principal: Principal | null }): Principal {
  if (request.principal === null) throw new ApiError('UNAUTHORIZED', 'authentication is required');
  return request.principal;
}
