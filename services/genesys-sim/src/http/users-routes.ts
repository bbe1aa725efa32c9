import type { ApiContext } from './context.js';
import { apiError } from './errors.js';
import { boolParam, intParam, listParam, param, query } from './params.js';

const USER_STATES = new Set(['active', 'inactive', 'deleted', 'any']);

/** Users, a user's queues and a queue's members (reference §4.1, §4.5). */
export function registerUsersRoutes(ctx: ApiContext): void {
  const { routes, world, config } = ctx;

  const knownUser = (userId: string) => {
    if (!world.hasUser(userId)) throw apiError(404, 'not.found', 'User {id} was not found.', { id: userId });
  };

  routes.add('GET', '/api/v2/users', (req) => {
    const q = query(req);
    const ids = listParam(q, 'id');
    if (ids.length > config.usersMaxPageSize) {
      throw apiError(400, 'invalid.value', 'At most {max} ids may be requested at once.', {
        max: String(config.usersMaxPageSize),
      });
    }
    const state = listParam(q, 'state')[0];
    if (state !== undefined && !USER_STATES.has(state)) {
      throw apiError(400, 'invalid.value', 'Value [{value}] is not valid for field [state].', {
        value: state,
      });
    }
    return world.listUsers({
      pageSize: intParam(q, 'pageSize', 25, 1, config.usersMaxPageSize),
      pageNumber: intParam(q, 'pageNumber', 1, 1, 1_000_000),
      ...(ids.length > 0 ? { ids } : {}),
      expand: new Set(listParam(q, 'expand')),
      ...(state !== undefined ? { state } : {}),
    });
  });

  routes.add('GET', '/api/v2/users/:userId', (req) => {
    const userId = param(req, 'userId');
    const user = world.getUser(userId, new Set(listParam(query(req), 'expand')));
    if (!user) throw apiError(404, 'not.found', 'User {id} was not found.', { id: userId });
    return user;
  });

  routes.add('GET', '/api/v2/users/:userId/queues', (req) => {
    const userId = param(req, 'userId');
    knownUser(userId);
    return world.getUserQueues(userId, boolParam(query(req), 'joined'));
  });

  routes.add('GET', '/api/v2/routing/queues/:queueId/members', (req) => {
    const queueId = param(req, 'queueId');
    if (!world.hasQueue(queueId)) {
      throw apiError(404, 'not.found', 'Queue {id} was not found.', { id: queueId });
    }
    const q = query(req);
    return world.getQueueMembers(
      queueId,
      intParam(q, 'pageSize', 25, 1, 100),
      intParam(q, 'pageNumber', 1, 1, 1e6),
    );
  });
}
