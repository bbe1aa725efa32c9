import { z } from 'zod';
import { type BodyDecoder, bodyDecoder } from './decoder.js';

const media = z.object({
  state: z.string().optional(),
  afterCallWorkRequired: z.boolean().optional(),
  afterCallWork: z.object({ state: z.string().optional() }).nullish(),
});
const mediaList = z.array(media).optional();
const MEDIA_KEYS = [
  'calls',
  'callbacks',
  'chats',
  'emails',
  'messages',
  'cobrowsesessions',
  'screenshares',
  'socialExpressions',
  'videos',
] as const;

const participant = z.object({
  userId: z.string().optional(),
  purpose: z.string().optional(),
  queueId: z.string().optional(),
  wrapupRequired: z.boolean().optional(),
  wrapup: z.unknown().optional(),
  startAcwTime: z.string().optional(),
  endAcwTime: z.string().optional(),
  calls: mediaList,
  callbacks: mediaList,
  chats: mediaList,
  emails: mediaList,
  messages: mediaList,
  cobrowsesessions: mediaList,
  screenshares: mediaList,
  socialExpressions: mediaList,
  videos: mediaList,
});
type Participant = z.output<typeof participant>;
type Media = z.output<typeof media>;

const ALERTING = new Set(['alerting', 'offering']);
const CONNECTED = new Set(['connected', 'dialing', 'contacting']);

function participantMedia(p: Participant): Media[] {
  const out: Media[] = [];
  for (const k of MEDIA_KEYS) {
    const list = p[k];
    if (list) out.push(...list);
  }
  return out;
}

/**
 * `v2.users.{id}.conversations` (reference §3.4): reduces the conversation to the agent's own participants.
 * active = some media alerting or connected; acw = nothing active and after-call work pending (wrap-up required
 * and not given, an open ACW interval, or `afterCallWork.state: pending`).
 */
export const decodeConversation: BodyDecoder = bodyDecoder(
  z.object({ id: z.string().min(1), participants: z.array(participant) }),
  (b, agentId) => {
    const wanted = agentId.toLowerCase();
    let alerting = false;
    let connected = false;
    let acwPending = false;
    let queueId: string | undefined;
    for (const p of b.participants) {
      if (p.userId === undefined || p.userId.toLowerCase() !== wanted) continue;
      queueId = p.queueId ?? queueId;
      const ms = participantMedia(p);
      for (const m of ms) {
        if (m.state !== undefined && ALERTING.has(m.state)) alerting = true;
        else if (m.state !== undefined && CONNECTED.has(m.state)) connected = true;
        if (m.afterCallWork?.state === 'pending') acwPending = true;
      }
      if (p.startAcwTime !== undefined && p.endAcwTime === undefined) acwPending = true;
      const ended = ms.length > 0 && ms.every((m) => m.state === 'disconnected' || m.state === 'terminated');
      if (ended && p.wrapupRequired === true && p.wrapup == null && p.endAcwTime === undefined)
        acwPending = true;
    }
    const active = alerting || connected;
    return {
      kind: 'conversation',
      agentId,
      conversationId: b.id,
      active,
      alerting,
      acw: !active && acwPending,
      queueId,
    };
  },
);
