import type { RoutingStatusValue, SimWorld, UsersQuery } from './contract.js';
import type { WorldCore } from './core.js';
import { badRequest, invalidValue, notFound } from './errors.js';
import { conversationSummaryBody } from './events.js';
import type { Platform } from './platform.js';
import type { PresenceDefinition } from './presence-definitions.js';
import type { AgentState } from './state.js';
import { iso } from './time.js';

type UsersRest = Pick<
  SimWorld,
  | 'getUser'
  | 'listUsers'
  | 'presenceDefinitions'
  | 'getUserPresence'
  | 'getRoutingStatus'
  | 'getUserStation'
  | 'getUserQueues'
  | 'getQueueMembers'
  | 'patchPresence'
  | 'putPresencesBulk'
  | 'putRoutingStatus'
  | 'deleteStationAssociation'
>;

const defUri = (id: string): string => `/api/v2/presencedefinitions/${id}`;
const userUri = (id: string): string => `/api/v2/users/${id}`;

/** `UserPresence` REST shape (title-case systemPresence, reference §4.2). */
export function userPresenceView(a: AgentState): Record<string, unknown> {
  return {
    id: 'PURECLOUD',
    user: { id: a.id, selfUri: userUri(a.id) },
    source: 'PURECLOUD',
    primary: true,
    presenceDefinition: {
      id: a.presence.id,
      systemPresence: a.presence.systemPresence,
      selfUri: defUri(a.presence.id),
    },
    message: a.presenceMessage,
    modifiedDate: iso(a.presenceModified),
    selfUri: `${userUri(a.id)}/presences/purecloud`,
  };
}

export function routingStatusView(a: AgentState): Record<string, unknown> {
  return { userId: a.id, status: a.routing, startTime: iso(a.routingStart) };
}

export function stationView(a: AgentState): Record<string, unknown> {
  const s = a.station;
  if (!s) return {};
  const ref = { id: s.id, name: s.name, type: 'inin_webrtc_softphone', selfUri: `/api/v2/stations/${s.id}` };
  if (!s.associated) return { defaultStation: ref, lastAssociatedStation: ref };
  return {
    associatedStation: {
      ...ref,
      associatedUser: { id: a.id, selfUri: userUri(a.id) },
      associatedDate: iso(s.associatedDate),
      providerInfo: {},
    },
    effectiveStation: ref,
    defaultStation: ref,
    lastAssociatedStation: ref,
  };
}

/** REST reads and writes of users, presence, routing, stations and queues. */
export function createUsersRest(core: WorldCore, platform: Platform): UsersRest {
  const agentOr404 = (userId: string): AgentState => {
    const a = core.agents.get(userId);
    if (!a) throw notFound('user', userId);
    return a;
  };
  const definitionOr400 = (id: string | undefined): PresenceDefinition => {
    const def = id === undefined ? undefined : core.definitions.get(id);
    if (!def) throw invalidValue('presenceDefinition.id', String(id));
    return def;
  };
  const userView = (a: AgentState, expand: ReadonlySet<string>): Record<string, unknown> => {
    const division = core.scenario.divisions.find((d) => d.id === a.divisionId);
    const user: Record<string, unknown> = {
      id: a.id,
      name: a.name,
      division: {
        id: a.divisionId,
        name: division?.name ?? '',
        selfUri: `/api/v2/authorization/divisions/${a.divisionId}`,
      },
      email: `${a.id}@example.invalid`,
      username: `${a.id}@example.invalid`,
      state: 'active',
      version: 1,
      acdAutoAnswer: false,
      selfUri: userUri(a.id),
    };
    if (expand.has('presence')) user.presence = userPresenceView(a);
    if (expand.has('routingStatus')) user.routingStatus = routingStatusView(a);
    if (expand.has('station')) user.station = stationView(a);
    if (expand.has('conversationSummary')) user.conversationSummary = conversationSummaryBody(a);
    if (expand.has('outOfOffice')) {
      user.outOfOffice = {
        user: { id: a.id },
        active: a.outOfOffice.active,
        indefinite: a.outOfOffice.active,
        modifiedDate: iso(a.outOfOffice.modified),
      };
    }
    return user;
  };
  const page = (
    entities: Record<string, unknown>[],
    total: number,
    pageSize: number,
    pageNumber: number,
    base: string,
  ): Record<string, unknown> => {
    const pageCount = Math.max(1, Math.ceil(total / pageSize));
    const uri = (n: number): string =>
      `${base}${base.includes('?') ? '&' : '?'}pageSize=${pageSize}&pageNumber=${n}`;
    const listing: Record<string, unknown> = {
      entities,
      pageSize,
      pageNumber,
      total,
      pageCount,
      firstUri: uri(1),
      selfUri: uri(pageNumber),
      lastUri: uri(pageCount),
    };
    if (pageNumber < pageCount) listing.nextUri = uri(pageNumber + 1);
    if (pageNumber > 1) listing.previousUri = uri(pageNumber - 1);
    return listing;
  };
  const slice = <T>(items: readonly T[], pageSize: number, pageNumber: number): T[] =>
    items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);

  const writePresence = (
    a: AgentState,
    def: PresenceDefinition | undefined,
    message: string | undefined,
    by: string,
  ) => {
    if (def) platform.setPresence(a, def, by, message);
    else if (message !== undefined && message !== a.presenceMessage)
      platform.setPresence(a, a.presence, by, message);
    return userPresenceView(a);
  };

  return {
    getUser(userId, expand) {
      const a = core.agents.get(userId);
      return a ? userView(a, expand) : undefined;
    },
    listUsers(q: UsersQuery) {
      const pageSize = Math.max(1, q.pageSize);
      const pageNumber = Math.max(1, q.pageNumber);
      const state = q.state ?? 'active';
      let list: AgentState[] = state === 'active' || state === 'any' ? core.agentList : [];
      if (q.ids && q.ids.length > 0) {
        const wanted = new Set(q.ids);
        list = list.filter((a) => wanted.has(a.id));
      }
      const entities = slice(list, pageSize, pageNumber).map((a) => userView(a, q.expand));
      return page(entities, list.length, pageSize, pageNumber, '/api/v2/users');
    },
    presenceDefinitions() {
      return [...core.definitions.values()].map((d) => ({
        id: d.id,
        name: d.name,
        languageLabels: { en_US: d.name },
        systemPresence: d.systemPresence,
        deactivated: false,
        primary: d.primary,
        selfUri: defUri(d.id),
      }));
    },
    getUserPresence(userId) {
      return userPresenceView(agentOr404(userId));
    },
    getRoutingStatus(userId) {
      const a = core.agents.get(userId);
      if (a) return routingStatusView(a);
      if (core.platform.unknownUserRoutingStatus === 'not-found') throw notFound('user', userId);
      // Documented: "A value of OFF_QUEUE will be returned if the specified user does not exist." (§3.10)
      return { userId, status: 'OFF_QUEUE' };
    },
    getUserStation(userId) {
      return stationView(agentOr404(userId));
    },
    getUserQueues(userId, joined) {
      const a = agentOr404(userId);
      const entities: Record<string, unknown>[] = [];
      for (const [queueId, isJoined] of a.memberships) {
        if (joined !== undefined && joined !== isJoined) continue;
        const queue = core.queues.get(queueId);
        entities.push({
          id: queueId,
          name: queue?.name ?? '',
          joined: isJoined,
          memberCount: queue?.members.length ?? 0,
          division: { id: queue?.divisionId ?? '' },
          selfUri: `/api/v2/routing/queues/${queueId}`,
        });
      }
      return page(
        entities,
        entities.length,
        Math.max(25, entities.length),
        1,
        `/api/v2/users/${userId}/queues`,
      );
    },
    getQueueMembers(queueId, pageSize, pageNumber) {
      const queue = core.queues.get(queueId);
      if (!queue) throw notFound('queue', queueId);
      const size = Math.min(100, Math.max(1, pageSize));
      const number = Math.max(1, pageNumber);
      const entities = slice(queue.members, size, number).map((a) => ({
        id: a.id,
        name: a.name,
        user: { id: a.id, name: a.name, selfUri: userUri(a.id) },
        ringNumber: 1,
        joined: a.memberships.get(queueId) === true,
        memberBy: 'user',
        routingStatus: routingStatusView(a),
        presence: userPresenceView(a),
        selfUri: `/api/v2/routing/queues/${queueId}/members/${a.id}`,
      }));
      return page(entities, queue.members.length, size, number, `/api/v2/routing/queues/${queueId}/members`);
    },
    patchPresence(userId, body, by) {
      const a = agentOr404(userId);
      const def =
        body.presenceDefinition === undefined ? undefined : definitionOr400(body.presenceDefinition.id);
      if (!def && body.message === undefined && body.primary === undefined) {
        throw badRequest('Give presenceDefinition, message or primary');
      }
      return writePresence(a, def, body.message, by);
    },
    putPresencesBulk(items, by) {
      // Validate everything first so a bad item changes nothing.
      const resolved = items.map((item, i) => {
        if (!item.id) throw badRequest(`Item ${i} has no id (the user id)`);
        const a = core.agents.get(item.id);
        if (!a) throw notFound('user', item.id);
        if (item.source !== undefined && item.source.toUpperCase() !== 'PURECLOUD') {
          throw invalidValue(`[${i}].source`, item.source);
        }
        const def =
          item.presenceDefinition === undefined ? undefined : definitionOr400(item.presenceDefinition.id);
        if (!def && item.message === undefined) throw badRequest(`Item ${i} changes nothing`);
        return { a, def, message: item.message };
      });
      return resolved.map(({ a, def, message }) => writePresence(a, def, message, by));
    },
    putRoutingStatus(userId, body, by) {
      const a = agentOr404(userId);
      const status = body.status;
      if (
        typeof status !== 'string' ||
        !core.platform.routingPutAccepts.includes(status as RoutingStatusValue)
      ) {
        throw invalidValue('status', String(status));
      }
      const target = status as RoutingStatusValue;
      if (
        target === 'IDLE' &&
        core.platform.routingPutRequiresOnQueue &&
        a.presence.systemPresence !== 'On Queue'
      ) {
        throw badRequest('The user must be On Queue to become IDLE');
      }
      if (a.call && (a.call.state === 'connected' || a.call.state === 'acw') && target !== a.routing) {
        // [assumption] a routing write cannot override a live interaction.
        throw badRequest('The user has an active interaction');
      }
      platform.setRouting(a, target, by);
      return routingStatusView(a);
    },
    deleteStationAssociation(userId) {
      const a = agentOr404(userId);
      platform.disassociateStation(a);
    },
  };
}
