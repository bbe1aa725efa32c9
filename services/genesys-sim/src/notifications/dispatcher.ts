import type { WorldEvent } from '../world/contract.js';
import type { ChannelRegistry } from './channel-registry.js';
import type { SocketHub } from './socket-hub.js';
import type { DeliveryStats } from './stats.js';

/**
 * Returns the function that fans one event out to every subscribed socket. The event is serialised once, and
 * only when at least one channel subscribes to its topic; per-channel work is one `send`. Expired channels leave
 * the index through the registry's sweep, so this path never reads the clock.
 */
export function createDispatcher(
  registry: ChannelRegistry,
  hub: SocketHub,
  stats: DeliveryStats,
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
    for (const channel of subscribers) hub.send(channel, frame);
  };
}
