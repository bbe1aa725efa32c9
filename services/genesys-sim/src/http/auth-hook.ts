import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import { errorBody } from './errors.js';

/**
 * The `/api/v2` gate, run before the body is read: bearer token (401), rate limit and its headers (429,
 * reference §5.2), then the `rate-limit-storm` and `server-errors` faults.
 */
export function createAuthHook(ctx: ApiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/v2/')) return;
    const header = req.headers.authorization ?? '';
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) {
      return reply
        .code(401)
        .send(
          errorBody(
            401,
            'authentication.required',
            'No authentication bearer token specified in authorization header.',
            req.correlationId,
          ),
        );
    }
    const check = ctx.tokens.check(m[1]);
    if (!check.ok) {
      const message =
        check.reason === 'expired' ? 'The access token has expired.' : 'Invalid login credentials.';
      return reply.code(401).send(errorBody(401, 'bad.credentials', message, req.correlationId));
    }
    req.grant = check.grant;
    const rate = ctx.limiter.hit(check.grant.token);
    reply.header('inin-ratelimit-count', String(rate.count));
    reply.header('inin-ratelimit-allowed', String(rate.limit));
    reply.header('inin-ratelimit-reset', String(rate.resetSec));
    const fault = ctx.httpFaults.check(check.grant.client.clientId);
    if (!rate.allowed || fault?.kind === 'rate-limit-storm') {
      const retryAfter = fault?.kind === 'rate-limit-storm' ? fault.retryAfterSec : rate.resetSec;
      return reply
        .code(429)
        .header('retry-after', String(retryAfter))
        .send(
          errorBody(
            429,
            'too.many.requests',
            'Rate limit exceeded the maximum. [{limit}] requests for {seconds} seconds',
            req.correlationId,
            { limit: String(rate.limit), seconds: '60' },
          ),
        );
    }
    if (fault?.kind === 'server-errors') {
      const code = {
        500: 'internal.server.error',
        502: 'bad.gateway',
        503: 'service.unavailable',
        504: 'request.timeout',
      }[fault.status];
      return reply
        .code(fault.status)
        .send(errorBody(fault.status, code, 'The service is temporarily failing.', req.correlationId));
    }
    return;
  };
}
