import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { decodeNotification } from '../schemas/decode.js';
import type { DecodeResult, GenesysEvent } from '../schemas/events.js';
import { channelRef } from './channel-ref.js';
import type { ChannelSlot } from './channel-slot.js';
import { isDuplicate } from './dedupe.js';
import type { ListenerSet } from './listeners.js';

export interface EventContext {
  readonly channelId?: string;
  readonly receivedAt: number;
}

export type DecodeFailure = Extract<DecodeResult, { ok: false }>;

/** What the router counts (part of the pool's stats). */
export interface FrameCounters {
  events: number;
  duplicatesDropped: number;
  decodeErrors: number;
}

export interface FrameRouterDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly counters: FrameCounters;
  readonly events: ListenerSet<[GenesysEvent, EventContext]>;
  readonly decodeErrors: ListenerSet<[DecodeFailure, EventContext]>;
}

/**
 * Turns one text frame of a slot's socket into what the application hears: a decoded event (duplicates of a
 * handover dropped), a decode failure, or nothing (liveness metadata). A `socket_closing` frame starts the slot's
 * rollover to a new channel.
 */
export function createFrameRouter(deps: FrameRouterDeps): (slot: ChannelSlot, text: string) => void {
  const { clock, log, counters } = deps;
  return (slot, text) => {
    const r = decodeNotification(text);
    const ctx: EventContext = { receivedAt: clock.now(), channelId: slot.channelId() };
    if (!r.ok) {
      counters.decodeErrors++;
      deps.decodeErrors.emit(r, ctx);
      return;
    }
    const ev = r.event;
    if (ev.kind === 'channelMetadata') return; // liveness only; the socket watchdog already saw the frame
    if (ev.kind === 'socketClosing') {
      log.info(
        { slot: slot.id, channel: channelRef(slot.channelId()) },
        'socket_closing received; replacing the channel',
      );
      slot.handover('rollover').catch((err: unknown) => log.warn({ err, slot: slot.id }, 'handover failed'));
      return;
    }
    if (isDuplicate(slot.dedupe, ev)) {
      counters.duplicatesDropped++;
      return;
    }
    counters.events++;
    deps.events.emit(ev, ctx);
  };
}
