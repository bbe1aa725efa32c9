import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import type { RedisClient } from '@lockstep/store';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { installAuth } from './auth/authenticate.js';
import type { AdminApiConfig } from './config.js';
import { createApiContext } from './context.js';
import { ApiError } from './errors.js';
import { createApiMetrics } from './metrics.js';
import { transformObject } from './openapi.js';
import { installProblemHandlers } from './problem-handler.js';
import { agentRoutes } from './routes/agents.js';
import { desiredStateRoutes } from './routes/desired-state.js';
import { findingRoutes } from './routes/findings.js';
import { incidentRoutes } from './routes/incidents.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { ruleRoutes } from './routes/rules.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface BuildOptions {
  readonly config: AdminApiConfig;
  /** Owned by the caller (`main.ts` or a test): the app never closes it. */
  readonly redis: RedisClient;
  readonly logger: Logger;
  readonly now?: () => number;
}

const KEY_ID = /^Bearer lsk_([0-9a-f]{16})_/;

/**
 * Builds the admin API (routes, plugins, OpenAPI) without listening. The caller listens (`main.ts`) or
 * injects requests (tests), and closes the app; closing it never closes the Redis client.
 */
export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const { config, redis } = options;
  const ctx = createApiContext(config, redis, options.now ?? Date.now);
  const metrics = createApiMetrics();
  const app = Fastify({
    // pino's Logger is Fastify's logger; the cast only widens the generic parameter.
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: 2 * 1024 * 1024,
    // Ids longer than the store accepts are refused by the schemas; longer path segments by the router.
    routerOptions: { maxParamLength: 500 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandlers(app);

  await app.register(helmet, { global: true });
  await app.register(underPressure, {
    maxEventLoopDelay: 1_000,
    exposeStatusRoute: false,
    pressureHandler: (_req, _reply, type, value) => {
      throw new ApiError(
        'SERVICE_UNAVAILABLE',
        `the API is under pressure (${type} ${String(value)}); retry later`,
      );
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    redis,
    nameSpace: ctx.keys.rateLimitPrefix(),
    // Per API key (its public id, read without a Redis lookup), per other bearer token (a digest of it,
    // e.g. the bootstrap key), else per client address.
    keyGenerator: (request) => {
      const authorization = request.headers.authorization ?? '';
      const id = KEY_ID.exec(authorization)?.[1];
      if (id !== undefined) return `key:${id}`;
      if (authorization.startsWith('Bearer ')) {
        return `token:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}`;
      }
      return `ip:${request.ip}`;
    },
    allowList: (request) => request.routeOptions.config.scope === undefined,
    errorResponseBuilder: (_request, context) =>
      new ApiError('RATE_LIMITED', `rate limit of ${context.max} requests per ${context.after} exceeded`),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'lockstep admin API',
        version: '1.0.0',
        description:
          'Inspect agents and findings; manage keys, rules, declared desired state and webhook subscriptions.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  installAuth(app, ctx.apiKeys);
  // Once closing, a response in flight ends its keep-alive connection: a client holding the connection open would
  // otherwise keep `close()` waiting until the keep-alive timeout (72 s), past any shutdown bound.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(ctx, metrics));
  await app.register(keyRoutes(ctx), { prefix: '/v1' });
  await app.register(agentRoutes(ctx), { prefix: '/v1' });
  await app.register(desiredStateRoutes(ctx), { prefix: '/v1' });
  await app.register(findingRoutes(ctx), { prefix: '/v1' });
  await app.register(incidentRoutes(ctx), { prefix: '/v1' });
  await app.register(ruleRoutes(ctx), { prefix: '/v1' });
  await app.register(webhookRoutes(ctx), { prefix: '/v1' });
  return app;
}
