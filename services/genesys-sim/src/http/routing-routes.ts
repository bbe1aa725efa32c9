import type { ApiContext } from './context.js';
import { apiError } from './errors.js';
import { grantOf, objectBody, param } from './params.js';

/** Routing status and station (reference §4.3, §4.4). */
export function registerRoutingRoutes(ctx: ApiContext): void {
  const { routes, world } = ctx;
  const knownUser = (userId: string) => {
    if (!world.hasUser(userId)) throw apiError(404, 'not.found', 'User {id} was not found.', { id: userId });
  };

  routes.add('GET', '/api/v2/users/:userId/routingstatus', (req) => {
    const userId = param(req, 'userId');
    knownUser(userId);
    return world.getRoutingStatus(userId);
  });

  routes.add('PUT', '/api/v2/users/:userId/routingstatus', (req) => {
    const userId = param(req, 'userId');
    knownUser(userId);
    const body = objectBody(req);
    if (body.status !== undefined && typeof body.status !== 'string') {
      throw apiError(400, 'invalid.value', 'Field [status] must be a string.');
    }
    return world.putRoutingStatus(userId, body as { status?: string }, grantOf(req).client.clientId);
  });

  routes.add('GET', '/api/v2/users/:userId/station', (req) => {
    const userId = param(req, 'userId');
    knownUser(userId);
    return world.getUserStation(userId);
  });

  routes.add('DELETE', '/api/v2/users/:userId/station/associatedstation', (req) => {
    const userId = param(req, 'userId');
    knownUser(userId);
    world.deleteStationAssociation(userId, grantOf(req).client.clientId);
    return undefined;
  });
}
