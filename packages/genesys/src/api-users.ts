import platformClient from 'purecloud-platform-client-v2';
import { type ApiCall, chunk, type Sent } from './api-call.js';
import type { SdkApiClient } from './sdk-client.js';

export type User = platformClient.Models.User;
export type UserEntityListing = platformClient.Models.UserEntityListing;
export type UcUserPresence = platformClient.Models.UcUserPresence;
export type UserPresence = platformClient.Models.UserPresence;
export type RoutingStatusBody = platformClient.Models.RoutingStatus;
export type UserStations = platformClient.Models.UserStations;
export type QueueMember = platformClient.Models.QueueMember;
export type UserQueue = platformClient.Models.UserQueue;
export type OrganizationPresence = platformClient.Models.OrganizationPresence;
export type MutableUserPresence = platformClient.Models.MutableUserPresence;

/** One user's presence in `PUT /api/v2/users/presences/bulk`: `id` is the user's id (reference §4.2). */
export interface BulkPresenceItem {
  readonly userId: string;
  readonly definitionId: string;
}

/** `expand` values lockstep reads users with (reference §4.1). */
export const USER_EXPAND = ['presence', 'routingStatus', 'station', 'conversationSummary'] as const;

/** Max ids per `GET /api/v2/users?id=` request ([UNVERIFIED]; 100 is the documented max page size). */
const USER_ID_CHUNK = 100;
/** `GET /api/v2/users/presences/purecloud/bulk` takes at most 50 ids (reference §4.2). */
const PRESENCE_BULK_CHUNK = 50;
const PAGE_SIZE = 100;
/** Safety stop for paging loops against a misbehaving server. */
const MAX_PAGES = 1_000;

export interface ListUsersOptions {
  readonly ids?: readonly string[];
  readonly expand?: readonly string[];
  readonly pageSize?: number;
  readonly pageNumber?: number;
  readonly state?: 'active' | 'inactive' | 'deleted' | 'any';
}

export function createUsersApi(client: SdkApiClient, call: ApiCall) {
  const users = new platformClient.UsersApi(client);
  const presence = new platformClient.PresenceApi(client);
  const routing = new platformClient.RoutingApi(client);

  const listUsersPage = (opts: ListUsersOptions = {}): Promise<UserEntityListing> =>
    call('users.list', () =>
      users.getUsers({
        pageSize: opts.pageSize ?? PAGE_SIZE,
        pageNumber: opts.pageNumber ?? 1,
        ...(opts.ids === undefined ? {} : { id: [...opts.ids] }),
        ...(opts.expand === undefined ? {} : { expand: [...opts.expand] }),
        ...(opts.state === undefined ? {} : { state: opts.state }),
      }),
    );

  /** Pages through `GET /api/v2/users` until `pageCount` (or an empty page). */
  const listAllPages = async (opts: ListUsersOptions): Promise<User[]> => {
    const out: User[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const r = await listUsersPage({ ...opts, pageNumber: page });
      const entities = r.entities ?? [];
      out.push(...entities);
      if (entities.length === 0 || page >= (r.pageCount ?? page)) break;
    }
    return out;
  };

  return {
    /** One page of `GET /api/v2/users`. */
    listUsersPage,
    /**
     * Every user matching: with `ids`, reads them in chunks of 100 through `id=`; otherwise pages through the org.
     * `expand` defaults to presence, routingStatus, station, conversationSummary.
     */
    async listUsers(opts: Omit<ListUsersOptions, 'pageNumber'> = {}): Promise<User[]> {
      const expand = opts.expand ?? USER_EXPAND;
      if (opts.ids === undefined) return listAllPages({ ...opts, expand });
      const out: User[] = [];
      for (const ids of chunk(opts.ids, USER_ID_CHUNK)) {
        out.push(...(await listAllPages({ ...opts, ids, expand, pageSize: USER_ID_CHUNK })));
      }
      return out;
    },
    getUser: (userId: string, expand: readonly string[] = USER_EXPAND): Promise<User> =>
      call('users.get', () => users.getUser(userId, { expand: [...expand] })),
    /** Bulk PURECLOUD presence, chunked by 50 ids. */
    async getPresences(userIds: readonly string[]): Promise<UcUserPresence[]> {
      const out: UcUserPresence[] = [];
      for (const ids of chunk(userIds, PRESENCE_BULK_CHUNK)) {
        const r = await call('presence.bulk', () => presence.getUsersPresencesPurecloudBulk({ id: ids }));
        out.push(...(r ?? []));
      }
      return out;
    },
    /** `PATCH /api/v2/users/{id}/presences/purecloud` with a presence definition (and optional message). */
    patchPresence: (userId: string, definitionId: string, message?: string): Promise<UserPresence> =>
      call('presence.patch', () =>
        presence.patchUserPresencesPurecloud(userId, {
          presenceDefinition: { id: definitionId },
          ...(message === undefined ? {} : { message }),
        }),
      ),
    /**
     * `PATCH /api/v2/users/{id}/presences/purecloud`, resolving the answer's status and `inin-correlation-id`
     * (for the audit of a correction).
     */
    patchPresenceSent: (userId: string, definitionId: string): Promise<Sent<UserPresence>> =>
      call.sent('presence.patch', () =>
        presence.patchUserPresencesPurecloud(userId, { presenceDefinition: { id: definitionId } }),
      ),
    /**
     * `PUT /api/v2/users/presences/bulk`: one request sets the PURECLOUD presence of every item's user (the
     * caller keeps a batch within the platform's limit). Resolves the per-item answers with the status and
     * `inin-correlation-id` of the request. Not repeated after a network error (the platform may have applied it).
     */
    putPresencesBulk: (items: readonly BulkPresenceItem[]): Promise<Sent<UserPresence[]>> =>
      call.sent(
        'presence.bulk.put',
        () =>
          presence.putUsersPresencesBulk(
            items.map((i) => ({
              id: i.userId,
              presenceDefinition: { id: i.definitionId },
              source: 'PURECLOUD',
            })),
          ),
        { idempotent: false },
      ),
    /** `GET /api/v2/presencedefinitions` (all pages). */
    async listPresenceDefinitions(): Promise<OrganizationPresence[]> {
      const out: OrganizationPresence[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await call('presence.definitions', () =>
          presence.getPresencedefinitions({ pageNumber: page, pageSize: PAGE_SIZE }),
        );
        const entities = r.entities ?? [];
        out.push(...entities);
        if (entities.length === 0 || page >= (r.pageCount ?? page)) break;
      }
      return out;
    },
    getRoutingStatus: (userId: string): Promise<RoutingStatusBody> =>
      call('routing.status.get', () => users.getUserRoutingstatus(userId)),
    putRoutingStatus: (userId: string, status: string): Promise<RoutingStatusBody> =>
      call('routing.status.put', () => users.putUserRoutingstatus(userId, { status } as RoutingStatusBody)),
    /** `PUT /api/v2/users/{id}/routingstatus`, resolving the answer's status and `inin-correlation-id`. */
    putRoutingStatusSent: (userId: string, status: string): Promise<Sent<RoutingStatusBody>> =>
      call.sent('routing.status.put', () =>
        users.putUserRoutingstatus(userId, { status } as RoutingStatusBody),
      ),
    getUserStation: (userId: string): Promise<UserStations> =>
      call('users.station', () => users.getUserStation(userId)),
    /** Every member of a queue (pages of 100). */
    async listQueueMembers(queueId: string): Promise<QueueMember[]> {
      const out: QueueMember[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await call('routing.queue.members', () =>
          routing.getRoutingQueueMembers(queueId, { pageNumber: page, pageSize: PAGE_SIZE }),
        );
        const entities = r.entities ?? [];
        out.push(...entities);
        // This listing has no pageCount: a short page is the last one.
        if (entities.length < PAGE_SIZE) break;
      }
      return out;
    },
    /** Every queue of a user (pages of 100); `joined` filters on activation. */
    async listUserQueues(userId: string, joined?: boolean): Promise<UserQueue[]> {
      const out: UserQueue[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await call('users.queues', () =>
          users.getUserQueues(userId, {
            pageNumber: page,
            pageSize: PAGE_SIZE,
            ...(joined === undefined ? {} : { joined }),
          }),
        );
        const entities = r.entities ?? [];
        out.push(...entities);
        if (entities.length === 0 || page >= (r.pageCount ?? page)) break;
      }
      return out;
    },
  };
}

export type UsersApi = ReturnType<typeof createUsersApi>;
