import { decodeConversation } from './conversation-topic.js';
import type { BodyDecoder } from './decoder.js';
import type { DecodeResult, EventBase } from './events.js';
import { decodeChannelMetadata, decodeQueueUsers, decodeSocketClosing } from './system-topics.js';
import {
  decodeActivity,
  decodeConversationSummary,
  decodeOutOfOffice,
  decodePresence,
  decodeRoutingStatus,
  decodeStation,
} from './user-topics.js';
import {
  decodeManagementUnitAdherence,
  decodeManagementUnitSchedules,
  decodeTimeOffRequest,
  decodeUserAdherence,
  decodeUserSchedules,
} from './wfm-topics.js';

/** `v2.users.{id}.<suffix>` decoders, keyed by the lower-cased suffix. */
const USER_SUFFIXES: ReadonlyMap<string, BodyDecoder> = new Map([
  ['presence', decodePresence],
  ['routingstatus', decodeRoutingStatus],
  ['activity', decodeActivity],
  ['station', decodeStation],
  ['conversations', decodeConversation],
  ['conversationsummary', decodeConversationSummary],
  ['outofoffice', decodeOutOfOffice],
  ['workforcemanagement.adherence', decodeUserAdherence],
  ['workforcemanagement.schedules', decodeUserSchedules],
  ['workforcemanagement.timeoffrequests', decodeTimeOffRequest],
]);

/** `v2.workforcemanagement.managementunits.{id}.<suffix>` decoders. */
const MU_SUFFIXES: ReadonlyMap<string, BodyDecoder> = new Map([
  ['adherence', decodeManagementUnitAdherence],
  ['agentschedules.changed', decodeManagementUnitSchedules],
]);

const USERS = 'v2.users.';
const MUS = 'v2.workforcemanagement.managementunits.';
const QUEUES = 'v2.routing.queues.';

interface Route {
  readonly decoder: BodyDecoder;
  readonly id: string;
}

/** Splits `<prefix><id>.<suffix>` and looks the suffix up. Case-insensitive on the suffix; keeps the id's case. */
function routeById(topic: string, lower: string, prefix: string, table: ReadonlyMap<string, BodyDecoder>) {
  const dot = lower.indexOf('.', prefix.length);
  if (dot <= prefix.length) return undefined;
  const decoder = table.get(lower.slice(dot + 1));
  return decoder === undefined ? undefined : { decoder, id: topic.slice(prefix.length, dot) };
}

function route(topic: string): Route | undefined {
  const lower = topic.toLowerCase();
  if (lower.startsWith(USERS)) return routeById(topic, lower, USERS, USER_SUFFIXES);
  if (lower === 'channel.metadata') return { decoder: decodeChannelMetadata, id: '' };
  if (lower.startsWith(MUS)) return routeById(topic, lower, MUS, MU_SUFFIXES);
  if (lower.startsWith(QUEUES) && lower.endsWith('.users')) {
    const id = topic.slice(QUEUES.length, topic.length - '.users'.length);
    return id.length > 0 && !id.includes('.') ? { decoder: decodeQueueUsers, id } : undefined;
  }
  if (lower === 'v2.system.socket_closing') return { decoder: decodeSocketClosing, id: '' };
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes one WebSocket text frame of the notification service. Pure and allocation-light: topic dispatch is a
 * prefix check plus one map lookup; only the matching body schema runs. Never throws.
 */
export function decodeNotification(text: string): DecodeResult {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: 'malformed-json', detail: e instanceof Error ? e.message : 'invalid JSON' };
  }
  if (!isRecord(msg)) return { ok: false, reason: 'malformed-json', detail: 'frame is not a JSON object' };
  const topic = msg.topicName;
  if (typeof topic !== 'string' || topic.length === 0) {
    return { ok: false, reason: 'schema', detail: 'topicName: missing or not a string' };
  }
  const r = route(topic);
  if (r === undefined)
    return { ok: false, reason: 'unknown-topic', topic, detail: `no decoder for topic ${topic}` };
  const meta = msg.metadata;
  const correlationId =
    isRecord(meta) && typeof meta.CorrelationId === 'string' ? meta.CorrelationId : undefined;
  const base: EventBase =
    correlationId === undefined ? { topicName: topic } : { topicName: topic, correlationId };
  const res = r.decoder(msg.eventBody, r.id, base);
  return res.ok ? res : { ok: false, reason: 'schema', topic, detail: res.detail };
}
