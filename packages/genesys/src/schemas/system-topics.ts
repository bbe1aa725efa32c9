import { z } from 'zod';
import { idRefSchema } from './common.js';
import { type BodyDecoder, bodyDecoder } from './decoder.js';

/** `v2.routing.queues.{id}.users` (reference §3.8): join/leave of one agent. */
export const decodeQueueUsers: BodyDecoder = bodyDecoder(
  z.object({ user: idRefSchema, joined: z.boolean() }),
  (b, queueId) => ({ kind: 'queueMembership', queueId, agentId: b.user.id, joined: b.joined }),
);

/** `channel.metadata`: `WebSocket Heartbeat` or `pong` (reference §2.4). */
export const decodeChannelMetadata: BodyDecoder = bodyDecoder(z.object({ message: z.string() }), (b) => {
  const m = b.message.toLowerCase();
  const signal = m === 'pong' ? 'pong' : m.includes('heartbeat') ? 'heartbeat' : 'other';
  return { kind: 'channelMetadata', signal, message: b.message };
});

/** `v2.system.socket_closing` (reference §2.4); every field is optional on the wire. */
export const decodeSocketClosing: BodyDecoder = bodyDecoder(
  z
    .object({
      channelId: z.string().optional(),
      message: z.string().optional(),
      reason: z.string().optional(),
    })
    .optional(),
  (b) => ({ kind: 'socketClosing', channelId: b?.channelId, message: b?.message, reason: b?.reason }),
);
