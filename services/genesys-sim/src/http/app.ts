import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { registerChannelRoutes } from '../notifications/channel-routes.js';
import { createAuthHook } from './auth-hook.js';
import { answerClientError, answerFrameworkError } from './client-errors.js';
import type { ApiContext } from './context.js';
import { errorBody, toErrorBody } from './errors.js';
import { parseJsonBody, requireUtf8 } from './json-body.js';
import { registerOAuthRoutes } from './oauth-routes.js';
import { registerPresenceRoutes } from './presence-routes.js';
import { createRouteTable } from './route-table.js';
import { registerRoutingRoutes } from './routing-routes.js';
import { registerUsersRoutes } from './users-routes.js';
import { registerWfmRoutes } from './wfm-routes.js';

/** Largest accepted request body (the platform's `request.bytes.max`, reference §5.2). */
export const MAX_BODY_BYTES = 512_000;

/**
 * Builds (without listening) the Fastify app serving OAuth and the `/api/v2` REST surface. Every response carries
 * `inin-correlation-id`; every error is an `ErrorBody` (reference §5.1), never a stack trace.
 */
export function createApiApp(deps: Omit<ApiContext, 'routes'>): { app: FastifyInstance; ctx: ApiContext } {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  const routes = createRouteTable(app);
  const ctx: ApiContext = { ...deps, routes };

  app.decorateRequest('correlationId', '');
  app.decorateRequest('grant', undefined);
  app.decorateRequest('logEntry', undefined);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    try {
      requireUtf8(req.headers['content-type']);
      done(null, parseJsonBody(String(body)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addHook('onRequest', async (req, reply) => {
    req.correlationId = randomUUID();
    reply.header('inin-correlation-id', req.correlationId);
  });
  // The request log sees every state-changing request, those the gate refuses (401, 429) included.
  app.addHook('onRequest', async (req) => {
    req.logEntry = ctx.requestLog.open(req.method, req.url, ctx.settings.logReads);
  });
  app.addHook('onRequest', createAuthHook(ctx));
  app.addHook('preHandler', async (req) => {
    const entry = req.logEntry;
    if (entry) ctx.requestLog.body(entry, req.body);
    if (entry && entry.agentIds.length === 0 && entry.path === '/api/v2/users/presences/bulk') {
      const items = Array.isArray(req.body) ? (req.body as unknown[]) : [];
      const ids = items.map((i) => (i as { id?: unknown } | null)?.id).filter((id) => typeof id === 'string');
      ctx.requestLog.name(entry, ids);
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.logEntry) ctx.requestLog.close(req.logEntry, reply.statusCode, req.grant?.client.clientId);
  });

  app.setErrorHandler((err, req, reply) => {
    const body = toErrorBody(err, req.correlationId);
    if (body.status >= 500) deps.logger.error({ err, url: req.url }, 'request failed');
    return reply.code(body.status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = routes.methodsFor(path);
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(
          errorBody(405, 'method.not.allowed', 'Method {method} is not allowed here.', req.correlationId, {
            method: req.method,
          }),
        );
    }
    return reply
      .code(404)
      .send(errorBody(404, 'not.found', 'The requested resource was not found.', req.correlationId));
  });

  registerOAuthRoutes(ctx);
  registerUsersRoutes(ctx);
  registerPresenceRoutes(ctx);
  registerRoutingRoutes(ctx);
  registerWfmRoutes(ctx);
  registerChannelRoutes(ctx);
  return { app, ctx };
}
