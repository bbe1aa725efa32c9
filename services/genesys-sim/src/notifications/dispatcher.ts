import type { WorldEvent } from '../world/contract.js';
import type { Channel, ChannelRegistry } from './channel-registry.js';
import type { SocketHub } from './socket-hub.js';
import type { DeliveryStats } from './stats.js';

/**
 * Returns the function that fans one event out to every subscribed socket. The event is serialised once, and
 * only when at least one channel subscribes to its topic; per-channel work is one `send`.
 */
export function createDispatcher(
  registry: ChannelRegistry,
  hub: SocketHub,
  stats: DeliveryStats,
  now: () => number,
): (event: WorldEvent) => void {
  return (event) => {
    const subscribers = registry.subscribers(event.topicName.toLowerCase());
    if (!subscribers || subscribers.size === 0) {
      stats.eventsUnrouted++;
      return;
    }
    const frame = JSON.stringify({
      topicName: event.topicName,
      version: '2',
      eventBody: event.eventBody,
      metadata: { CorrelationId: event.correlationId },
    });
    const t = now();
    let expired: Channel[] | undefined;
    for (const channel of subscribers) {
      // Expired channels deliver nothing, even before the periodic sweep removes them.
      if (channel.expiresAt > t) hub.send(channel, frame);
      else {
        expired ??= [];
        expired.push(channel);
      }
    }
    if (expired) for (const c of expired) registry.remove(c, 'expired');
  };
}
