import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { apiError, errorBody } from '../http/errors.js';
import { param, query } from '../http/params.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import type { RequestLog } from '../http/request-log.js';
import type { SimSettings } from '../http/settings.js';
import type { RouteTable } from '../http/route-table.js';
import type { TokenStore } from '../http/token-store.js';
import type { ChannelConnection, ChannelRegistry } from '../notifications/channel-registry.js';
import type { DeliveryFaults } from '../notifications/delivery-faults.js';
import type { SocketHub } from '../notifications/socket-hub.js';
import type { DeliveryStats } from '../notifications/stats.js';
import type { SimWorld } from '../world/contract.js';
import type { FaultController } from './fault-controller.js';
import { requestFilter } from './request-filter.js';
import { issues, settingsPatchSchema, transportFaultSchema, worldActionSchema } from './schemas.js';

export interface ControlDeps {
  readonly app: FastifyInstance;
  readonly routes: RouteTable;
  readonly controlToken: string;
  readonly world: SimWorld;
  readonly faults: FaultController;
  readonly registry: ChannelRegistry;
  readonly hub: SocketHub;
  readonly tokens: TokenStore;
  readonly deliveryFaults: DeliveryFaults;
  readonly stats: DeliveryStats;
  readonly requestLog: RequestLog;
  readonly settings: SimSettings;
  readonly limiter: RateLimiter;
}

const BASE = '/__sim';

/**
 * The simulator's control API under `/__sim/` (Bearer control token, else 401): ground truth, world actions,
 * transport faults, channels and delivery statistics.
 */
export function registerControlRoutes(deps: ControlDeps): void {
  const { app, routes, world, faults, registry } = deps;
  const expected = Buffer.from(`Bearer ${deps.controlToken}`);

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(`${BASE}/`)) return;
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return reply
        .code(401)
        .send(errorBody(401, 'bad.credentials', 'A valid control token is required.', req.correlationId));
    }
    return;
  });

  const parse = <S extends z.ZodType>(req: FastifyRequest, schema: S): z.infer<S> => {
    const r = schema.safeParse(req.body);
    if (!r.success) {
      throw apiError(400, 'bad.request', 'Invalid body: {problems}', {
        problems: issues(r.error).join('; '),
      });
    }
    return r.data;
  };

  routes.add('GET', `${BASE}/agents`, () => world.groundTruth());

  routes.add('POST', `${BASE}/actions`, (req) => {
    world.act(parse(req, worldActionSchema));
    return { ok: true };
  });

  routes.add('POST', `${BASE}/faults`, (req) => faults.apply(parse(req, transportFaultSchema)), 201);
  routes.add('GET', `${BASE}/faults`, () => ({ entities: faults.list() }));
  routes.add('DELETE', `${BASE}/faults/:faultId`, (req) => {
    const id = param(req, 'faultId');
    if (!faults.end(id)) throw apiError(404, 'not.found', 'No active fault {id}.', { id });
    return undefined;
  });

  routes.add('GET', `${BASE}/channels`, () => {
    registry.sweep();
    const state = (c: ChannelConnection | undefined) =>
      c === undefined ? 'none' : c.silent ? 'silent' : 'open';
    return {
      entities: [...registry.all()].map((c) => ({
        id: c.id,
        clientId: c.clientId,
        topics: c.subscriptions.size,
        expandedTopics: [...c.subscriptions.values()].reduce((n, s) => n + s.expanded.length, 0),
        connected: c.connection !== undefined,
        socketState: state(c.connection),
        expires: new Date(c.expiresAt).toISOString(),
      })),
    };
  });

  routes.add('GET', `${BASE}/requests`, (req) => {
    const entities = deps.requestLog.list(requestFilter(query(req)));
    return { entities, total: entities.length, dropped: deps.requestLog.dropped };
  });
  routes.add('DELETE', `${BASE}/requests`, () => {
    deps.requestLog.clear();
    return undefined;
  });

  routes.add('GET', `${BASE}/settings`, () => deps.settings.view());
  routes.add('PATCH', `${BASE}/settings`, (req) => {
    const { resetRateWindows, ...patch } = parse(req, settingsPatchSchema);
    const known = new Set(world.oauthClients.map((c) => c.clientId));
    const unknown = Object.keys(patch.clientRateLimits ?? {}).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw apiError(400, 'bad.request', 'Invalid body: clientRateLimits: unknown OAuth client(s) {ids}', {
        ids: unknown.join(', '),
      });
    }
    const view = deps.settings.update(patch);
    if (resetRateWindows) deps.limiter.clear();
    return view;
  });

  routes.add('GET', `${BASE}/stats`, () => ({
    ...deps.stats,
    channels: registry.size(),
    socketsOpen: deps.hub.openSockets(),
    liveTokens: deps.tokens.size(),
    activeFaults: faults.list().length,
    activeEventFaults: deps.deliveryFaults.activeCount(),
  }));
}
