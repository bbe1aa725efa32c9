import type { ApiContext } from './context.js';
import { apiError } from './errors.js';
import { grantOf, listParam, objectBody, param, query } from './params.js';

/** Largest `id` list of the bulk presence read (reference §4.2: "Limit 50"). */
const BULK_READ_MAX = 50;

/** Presence definitions, user presence (both path casings) and bulk presence (reference §4.2). */
export function registerPresenceRoutes(ctx: ApiContext): void {
  const { routes, world } = ctx;

  const source = (raw: string) => {
    // Only the platform's own source is simulated; `/purecloud` and `/PURECLOUD` are the same (reference §4.2).
    if (raw.toLowerCase() !== 'purecloud') {
      throw apiError(404, 'not.found', 'Presence source {source} was not found.', { source: raw });
    }
  };
  const knownUser = (userId: string) => {
    if (!world.hasUser(userId)) throw apiError(404, 'not.found', 'User {id} was not found.', { id: userId });
  };

  routes.add('GET', '/api/v2/presencedefinitions', () => {
    const entities = world.presenceDefinitions();
    return {
      entities,
      pageSize: Math.max(25, entities.length),
      pageNumber: 1,
      total: entities.length,
      pageCount: 1,
    };
  });

  routes.add('GET', '/api/v2/users/:userId/presences/:source', (req) => {
    source(param(req, 'source'));
    const userId = param(req, 'userId');
    knownUser(userId);
    return world.getUserPresence(userId);
  });

  routes.add('PATCH', '/api/v2/users/:userId/presences/:source', (req) => {
    source(param(req, 'source'));
    const userId = param(req, 'userId');
    knownUser(userId);
    return world.patchPresence(userId, objectBody(req), grantOf(req).client.clientId);
  });

  routes.add('GET', '/api/v2/users/presences/:source/bulk', (req) => {
    source(param(req, 'source'));
    const ids = listParam(query(req), 'id');
    if (ids.length > BULK_READ_MAX) {
      throw apiError(400, 'invalid.value', 'At most {max} user ids may be requested; got {count}.', {
        max: String(BULK_READ_MAX),
        count: String(ids.length),
      });
    }
    return ids.filter((id) => world.hasUser(id)).map((id) => ({ userId: id, ...world.getUserPresence(id) }));
  });

  routes.add('PUT', '/api/v2/users/presences/bulk', (req) => {
    const body = req.body;
    if (!Array.isArray(body) || body.some((i) => i === null || typeof i !== 'object' || Array.isArray(i))) {
      throw apiError(400, 'bad.request', 'The request body must be a JSON array of user presences.');
    }
    if (body.length > world.presenceBulkMax) {
      throw apiError(400, 'invalid.value', 'At most {max} user presences may be set at once; got {count}.', {
        max: String(world.presenceBulkMax),
        count: String(body.length),
      });
    }
    return world.putPresencesBulk(body, grantOf(req).client.clientId);
  });
}
