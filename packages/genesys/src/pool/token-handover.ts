import type { Logger } from 'pino';
import type { GenesysApi } from '../api.js';
import type { ChannelSlot } from './channel-slot.js';

export interface TokenHandoverDeps {
  readonly api: Pick<GenesysApi, 'onTokenRenewed'>;
  readonly log: Logger;
  /** The pool's current slots, read at each renewal. */
  readonly slots: () => readonly ChannelSlot[];
  /** Whether a renewal should move the channels now (the pool is started and not closed). */
  readonly active: () => boolean;
}

/**
 * After every OAuth token renewal (not the first login), moves each channel, one after another, to a new channel
 * created with the new token, so no socket outlives the token it was opened with. Returns the function that stops
 * listening.
 */
export function watchTokenRenewals(deps: TokenHandoverDeps): () => void {
  return deps.api.onTokenRenewed((info) => {
    if (!deps.active() || info.reason === 'start') return;
    void (async () => {
      for (const slot of [...deps.slots()]) {
        try {
          await slot.handover('token-renewal');
        } catch (err) {
          deps.log.warn({ err, slot: slot.id }, 'moving the channel to the new token failed');
        }
      }
    })();
  });
}
