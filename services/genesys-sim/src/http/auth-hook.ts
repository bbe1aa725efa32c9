import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import { errorBody } from './errors.js';
import type { RateDecision } from './rate-limiter.js';

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
    const clientId = check.grant.client.clientId;
    const rate = rateVerdict(ctx, check.grant.token, clientId);
    reply.header('inin-ratelimit-count', String(rate.count));
    reply.header('inin-ratelimit-allowed', String(rate.limit));
    reply.header('inin-ratelimit-reset', String(rate.resetSec));
    const fault = ctx.httpFaults.check(clientId);
    if (!rate.allowed || fault?.kind === 'rate-limit-storm') {
      const retryAfter = fault?.kind === 'rate-limit-storm' ? fault.retryAfterSec : rate.resetSec;
      return reply
        .code(429)
        .header('retry-after', String(retryAfter))
        .send({
          ...errorBody(
            429,
            'too.many.requests',
            'Rate limit exceeded the maximum. [{limit}] requests for {seconds} seconds',
            req.correlationId,
            { limit: String(rate.limit), seconds: '60' },
          ),
          limit: { namespace: 'platform.api', key: rate.key, value: rate.limit },
        });
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

/** Limit keys of the `limit` object of a 429 `ErrorBody` (reference §5.1, §5.2). */
const TOKEN_KEY = 'token.rate.per.minute';
const CLIENT_KEY = 'client.rate.per.minute';

/**
 * Counts the request against its token's window and, when the client has a limit, its client's window. The
 * verdict shown in the headers is the refusing window (the later-resetting one if both refuse), else the one with
 * fewer requests left.
 */
function rateVerdict(ctx: ApiContext, token: string, clientId: string): RateDecision & { key: string } {
  const byToken = {
    ...ctx.limiter.hit(`token:${token}`, ctx.settings.tokenRateLimitPerMinute),
    key: TOKEN_KEY,
  };
  const clientLimit = ctx.settings.clientLimit(clientId);
  if (clientLimit === null) return byToken;
  const byClient = { ...ctx.limiter.hit(`client:${clientId}`, clientLimit), key: CLIENT_KEY };
  if (!byToken.allowed || !byClient.allowed) {
    if (byToken.allowed) return byClient;
    if (byClient.allowed) return byToken;
    return byClient.resetSec >= byToken.resetSec ? byClient : byToken;
  }
  return byClient.limit - byClient.count < byToken.limit - byToken.count ? byClient : byToken;
}
