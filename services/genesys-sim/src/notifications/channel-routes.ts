import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../http/context.js';
import { apiError } from '../http/errors.js';
import { boolParam, grantOf, listParam, param, query } from '../http/params.js';
import type { Channel, Subscription } from './channel-registry.js';
import { type ChannelTopic, resolveSubscriptionRequest } from './subscriptions.js';

const BASE = '/api/v2/notifications/channels';

/** Notification channel and subscription REST endpoints (reference §2.2, §2.3). */
export function registerChannelRoutes(ctx: ApiContext): void {
  const { routes, registry, config, logger } = ctx;
  const log = logger.child({ component: 'channels' });

  const wire = (c: Channel, req: FastifyRequest) => {
    const base = ctx.wsBase() ?? `ws://${req.headers.host ?? `${config.host}:${config.port}`}`;
    return { id: c.id, connectUri: `${base}/channels/${c.id}`, expires: new Date(c.expiresAt).toISOString() };
  };
  /** The caller's own live channel, else 404 (other clients' channels are invisible). */
  const owned = (req: FastifyRequest): Channel => {
    const id = param(req, 'channelId');
    const c = registry.get(id);
    if (!c || c.clientId !== grantOf(req).client.clientId) {
      throw apiError(404, 'not.found', 'Channel {id} was not found.', { id });
    }
    return c;
  };
  const selfUri = (c: Channel) => `${BASE}/${c.id}/subscriptions`;
  const listing = (c: Channel, rejected: ChannelTopic[] = []) => ({
    entities: [
      ...[...c.subscriptions.values()].map((s) => ({ id: s.id, state: 'Permitted', selfUri: selfUri(c) })),
      ...rejected,
    ],
  });

  routes.add('POST', BASE, (req) => {
    const grant = grantOf(req);
    const { channel, evicted } = registry.create(grant.client.clientId, grant.token);
    if (evicted) log.info({ channelId: evicted.id, clientId: grant.client.clientId }, 'channel evicted');
    return wire(channel, req);
  });

  routes.add('GET', BASE, (req) => {
    const grant = grantOf(req);
    const scope = listParam(query(req), 'includechannels')[0] ?? 'token';
    if (scope !== 'token' && scope !== 'oauthclient') {
      throw apiError(400, 'invalid.value', 'includechannels must be token or oauthclient.');
    }
    registry.sweep();
    const mine = registry.forClient(grant.client.clientId);
    const entities = mine
      .filter((c) => scope === 'oauthclient' || c.token === grant.token)
      // Channels of other tokens are shown to exist, without their ids (reference §2.2).
      .map((c) =>
        c.token === grant.token ? wire(c, req) : { expires: new Date(c.expiresAt).toISOString() },
      );
    return { entities };
  });

  routes.add('HEAD', `${BASE}/:channelId`, (req, reply) => {
    const c = owned(req);
    registry.touch(c);
    return reply.code(200).send();
  });

  routes.add('GET', `${BASE}/:channelId/subscriptions`, (req) => {
    const c = owned(req);
    registry.touch(c);
    return listing(c);
  });

  const subscribe = (mode: 'replace' | 'add') => (req: FastifyRequest) => {
    const c = owned(req);
    const grant = grantOf(req);
    const { accepted, rejected } = resolveSubscriptionRequest(req.body, {
      ignoreErrors: boolParam(query(req), 'ignoreErrors') ?? false,
      hasWfm: grant.client.permissions.includes('wfm'),
      invalidTopicWithIgnoreErrors: config.invalidTopicWithIgnoreErrors,
      selfUri: selfUri(c),
    });
    const next = new Map<string, Subscription>(mode === 'add' ? c.subscriptions : []);
    for (const s of accepted) next.set(s.id.toLowerCase(), s);
    if (next.size > config.maxTopicsPerChannel) {
      throw apiError(
        400,
        'notification.subscription.too.many.subscriptions',
        'A channel may have at most {max} topics; this request would make {count}.',
        { max: String(config.maxTopicsPerChannel), count: String(next.size) },
      );
    }
    registry.setSubscriptions(c, [...next.values()]);
    registry.extend(c);
    registry.touch(c);
    return listing(c, rejected);
  };
  routes.add('PUT', `${BASE}/:channelId/subscriptions`, subscribe('replace'));
  routes.add('POST', `${BASE}/:channelId/subscriptions`, subscribe('add'));

  routes.add('DELETE', `${BASE}/:channelId/subscriptions`, (req) => {
    const c = owned(req);
    registry.setSubscriptions(c, []);
    registry.touch(c);
    return undefined;
  });
}
