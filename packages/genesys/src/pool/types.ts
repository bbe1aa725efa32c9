import type { BackoffOptions } from '../backoff.js';

/** Why agents need a REST resync: their events could have been missed. */
export type GapReason = 'start' | 'reconnect' | 'rollover' | 'expiry' | 'token-renewal';

export interface GapNotice {
  readonly reason: GapReason;
  readonly agentIds: readonly string[];
  readonly managementUnitIds: readonly string[];
  readonly queueIds: readonly string[];
  /** The channel concerned (the new one after a replacement). */
  readonly channelId?: string;
}

/** Timings and policies of a channel slot. All durations in ms. */
export interface SlotTimings {
  readonly pingIntervalMs: number;
  readonly watchdogTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Renew this long before the channel's `expires`. */
  readonly renewBeforeExpiryMs: number;
  /** `resubscribe`: PUT the same topics and verify `expires` moved (else replace); `replace`: new channel. */
  readonly channelRenewal: 'resubscribe' | 'replace';
  /** How long the old socket stays open after a replacement socket is live (duplicates are dropped). */
  readonly handoverDrainMs: number;
  readonly reconnectBackoff: BackoffOptions;
}
