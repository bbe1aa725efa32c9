/**
 * The store's own document shapes. The store is agnostic of the domain model: it keeps JSON documents and
 * reads only the few fields it indexes.
 */

/** Why an agent's state changed; recorded in its history. */
export type HistoryCause = 'event' | 'resync' | 'correction' | 'tick';

export const HISTORY_CAUSES: readonly HistoryCause[] = Object.freeze([
  'event',
  'resync',
  'correction',
  'tick',
]);

/**
 * An open finding as stored. Only `id`, `ruleId`, `severity` and `openedAt` are read by the store (for the
 * open-findings index); every other field is kept as given.
 */
export interface FindingDoc {
  readonly id: string;
  readonly ruleId: string;
  readonly severity: string;
  /** Epoch ms when the finding opened; the index orders by it. */
  readonly openedAt: number;
  readonly [field: string]: unknown;
}

/** Everything one agent commit writes. */
export interface AgentCommit {
  readonly agentId: string;
  /** The version read before computing this commit; 0 for an agent never committed. */
  readonly expectedVersion: number;
  /** Fencing token of the caller's lease (0 when leases are not used). */
  readonly fence: number;
  /** Short state summary (e.g. `available.idle`), recorded as the history transition target. */
  readonly state: string;
  /** Persisted machine snapshot (JSON-serialisable). */
  readonly machine: unknown;
  /** Merged signals (JSON-serialisable). */
  readonly signals: unknown;
  /** The complete set of open findings after this commit. */
  readonly findings: readonly FindingDoc[];
  /** Effects to publish through the outbox (each JSON-serialisable), in order. */
  readonly effects: readonly unknown[];
  readonly cause: HistoryCause;
  /** Short text explaining the cause (e.g. the event type). At most 500 characters. */
  readonly detail: string;
  /** Commit time, epoch ms. Defaults to the store's clock. */
  readonly at?: number;
  /**
   * Extra list tags (`queue:<id>`, `mu:<id>`, `division:<id>`) beside those derived from the state: they replace
   * the agent's indexed ones. Left out (the engine's case), the membership tags the agent directory
   * (`createAgentProfiles`) keeps stay as they are.
   */
  readonly tags?: readonly string[];
}

/** What a successful commit reports. */
export interface CommitResult {
  readonly version: number;
  /** Ids of the outbox entries this commit queued (`<agentId>:<version>:<index>`). */
  readonly outboxIds: readonly string[];
}

/** An agent as read back. */
export interface AgentRecord {
  readonly agentId: string;
  readonly version: number;
  readonly fence: number;
  readonly state: string;
  readonly machine: unknown;
  readonly signals: unknown;
  readonly findings: readonly FindingDoc[];
  /** Epoch ms of the last commit. */
  readonly updatedAt: number;
  /** Number of outbox entries committed but not yet relayed. */
  readonly pendingOutbox: number;
}

/** One history entry, newest first when read. */
export interface HistoryEntry {
  /** Stream entry id; pass it as `before` to page further back. */
  readonly id: string;
  readonly version: number;
  readonly at: number;
  readonly cause: HistoryCause;
  readonly detail: string;
  readonly from: string;
  readonly to: string;
}

/** An open finding with the agent it belongs to. */
export interface OpenFinding {
  readonly agentId: string;
  readonly finding: FindingDoc;
}

/** One outbox message as a consumer sees it. */
export interface OutboxMessage {
  /** Outbox shard (stream) it was read from; needed to ack. */
  readonly shard: number;
  /** Redis stream entry id. */
  readonly streamId: string;
  /** Stable entry id (`<agentId>:<version>:<index>`): dedupe on it, it survives replays. */
  readonly id: string;
  readonly agentId: string;
  readonly version: number;
  /** Commit time, epoch ms. */
  readonly at: number;
  /** The effect as committed (parsed JSON); the raw text when `malformed` is set. */
  readonly effect: unknown;
  /** Set when the stored entry could not be decoded; ack it after handling (e.g. dead-lettering). */
  readonly malformed?: string;
}
