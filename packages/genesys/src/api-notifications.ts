import platformClient from 'purecloud-platform-client-v2';
import type { ApiCall } from './api-call.js';
import { GenesysError, isGenesysError } from './errors.js';
import type { SdkApiClient } from './sdk-client.js';

/** A notification channel (reference §2.2). */
export interface NotificationChannel {
  readonly id: string;
  readonly connectUri: string;
  /** Epoch ms; undefined when the server did not say. */
  readonly expiresAt?: number;
}

export interface RejectedTopic {
  readonly topic: string;
  readonly reason?: string;
  readonly missingPermissions?: readonly string[];
}

/** Outcome of a subscription change: topics as the server now lists them, split by state. */
export interface SubscriptionResult {
  readonly permitted: readonly string[];
  readonly rejected: readonly RejectedTopic[];
}

export interface SubscribeOptions {
  /** Ask the server to report forbidden topics as `Rejected` instead of failing the call. Default true. */
  readonly ignoreErrors?: boolean;
}

function toChannel(c: platformClient.Models.Channel | undefined, op: string): NotificationChannel {
  if (!c?.id || !c.connectUri)
    throw new GenesysError('GENESYS_UNEXPECTED_RESPONSE', `${op}: channel without id/connectUri`);
  const expiresAt = c.expires === undefined ? undefined : Date.parse(String(c.expires));
  return {
    id: c.id,
    connectUri: c.connectUri,
    ...(expiresAt === undefined || Number.isNaN(expiresAt) ? {} : { expiresAt }),
  };
}

function toResult(listing: platformClient.Models.ChannelTopicEntityListing | undefined): SubscriptionResult {
  const permitted: string[] = [];
  const rejected: RejectedTopic[] = [];
  for (const e of listing?.entities ?? []) {
    if (!e.id) continue;
    if (e.state === 'Rejected') {
      rejected.push({
        topic: e.id,
        ...(e.rejectionReason === undefined ? {} : { reason: e.rejectionReason }),
        ...(e.missingPermissions === undefined ? {} : { missingPermissions: e.missingPermissions }),
      });
    } else {
      permitted.push(e.id);
    }
  }
  return { permitted, rejected };
}

/** Notification channel and subscription endpoints (reference §2.2). */
export function createNotificationsApi(client: SdkApiClient, call: ApiCall) {
  const n = new platformClient.NotificationsApi(client);
  const body = (topics: readonly string[]) => topics.map((id) => ({ id }));
  return {
    /** `POST /channels`. Not retried after a network error (it could create a second channel). */
    createChannel: async (): Promise<NotificationChannel> =>
      toChannel(
        await call('notifications.channel.create', () => n.postNotificationsChannels(), {
          idempotent: false,
        }),
        'notifications.channel.create',
      ),
    /** `HEAD /channels/{id}`: true on 200, false on 404 (expired or evicted). */
    async channelExists(channelId: string): Promise<boolean> {
      try {
        await call('notifications.channel.head', () => n.headNotificationsChannel(channelId));
        return true;
      } catch (e) {
        if (isGenesysError(e, 'GENESYS_NOT_FOUND')) return false;
        throw e;
      }
    },
    /** `GET /channels?includechannels=token`: this token's channels (other tokens' ids are not shown). */
    async listChannels(): Promise<NotificationChannel[]> {
      const r = await call('notifications.channel.list', () =>
        n.getNotificationsChannels({ includechannels: 'token' }),
      );
      return (r.entities ?? []).filter((c) => c.id && c.connectUri).map((c) => toChannel(c, 'list'));
    },
    getSubscriptions: async (channelId: string): Promise<SubscriptionResult> =>
      toResult(
        await call('notifications.subscriptions.get', () =>
          n.getNotificationsChannelSubscriptions(channelId),
        ),
      ),
    /** `PUT`: replaces the channel's subscriptions (and extends the channel's life). */
    putSubscriptions: async (
      channelId: string,
      topics: readonly string[],
      opts: SubscribeOptions = {},
    ): Promise<SubscriptionResult> =>
      toResult(
        await call('notifications.subscriptions.put', () =>
          n.putNotificationsChannelSubscriptions(channelId, body(topics), {
            ignoreErrors: opts.ignoreErrors ?? true,
          }),
        ),
      ),
    /** `POST`: adds subscriptions. */
    postSubscriptions: async (
      channelId: string,
      topics: readonly string[],
      opts: SubscribeOptions = {},
    ): Promise<SubscriptionResult> =>
      toResult(
        await call('notifications.subscriptions.post', () =>
          n.postNotificationsChannelSubscriptions(channelId, body(topics), {
            ignoreErrors: opts.ignoreErrors ?? true,
          }),
        ),
      ),
    deleteSubscriptions: (channelId: string): Promise<void> =>
      call('notifications.subscriptions.delete', () => n.deleteNotificationsChannelSubscriptions(channelId)),
  };
}

export type NotificationsApi = ReturnType<typeof createNotificationsApi>;
