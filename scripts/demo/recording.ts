/**
 * What the demo recorded while the product ran: plain JSON data, written to the result file and read by the
 * outcome checks, the live view and the report (all pure functions of a `Recording`).
 */

export type StoryId = 'tuesday' | 'friday' | 'background';

/** One agent as the demo saw it at the end: the simulator's ground truth and what lockstep read. */
export interface AgentInfo {
  readonly id: string;
  readonly name: string;
  readonly story: StoryId;
  readonly managementUnit: string | null;
  readonly timeZone: string | null;
  /** System presence in the simulator at the end. */
  readonly presence: string;
  /** The simulator's station is associated but silently dead (ground truth, never told to lockstep). */
  readonly stationDead: boolean;
  /** On Queue with no associated station at the end (ground truth). */
  readonly stationLost: boolean;
  /** Pending time-off requests as lockstep's engine last read them (`null`: lockstep has no reading). */
  readonly pendingTimeOff: number | null;
  /** How the schedule changed in the last 24 h, when lockstep records it (`null`: not recorded). */
  readonly scheduleChange: string | null;
}

/** One outbox entry of the engine (a finding step, a correction, a declaration outcome, an incident...). */
export interface RecordedEntry {
  readonly id: string;
  readonly agentId: string;
  /** Commit time, epoch ms. */
  readonly at: number;
  readonly type: string;
  readonly ruleId: string | null;
  readonly findingId: string | null;
  readonly summary: string | null;
  /** `correction.status` of a finding, or the entry's own `status`/`outcome`/`reason` fields when present. */
  readonly status: string | null;
  readonly reason: string | null;
  /** Agents an incident covers, when the entry is an incident. */
  readonly agentIds: readonly string[];
}

/** One alert the webhook receiver verified (one line of its output). */
export interface ReceivedAlert {
  readonly type: string;
  readonly webhookId: string;
  readonly agentId: string | null;
  readonly ruleId: string | null;
}

export interface Recording {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly agents: readonly AgentInfo[];
  readonly entries: readonly RecordedEntry[];
  readonly alerts: readonly ReceivedAlert[];
  /** Declarations the demo sent for the external WFM platform's pushes. */
  readonly declared: readonly { readonly agentId: string; readonly at: number }[];
  readonly engine: {
    readonly trackedAgents: number;
    readonly eventsReceived: number;
    readonly eventsPerSecond: number;
    readonly declarationsApplied: number;
  };
  readonly notifier: { readonly delivered: number; readonly retried: number };
  /** Agent history entries whose cause is a correction lockstep applied, by agent (read at the end). */
  readonly correctionCommits: readonly { readonly agentId: string; readonly count: number }[];
  /** Findings open in Redis at the end. */
  readonly openFindings: readonly { readonly agentId: string; readonly ruleId: string }[];
}

/** Entries of `type` (exact) or of every type under `prefix.` when `type` ends with `.`. */
export function entriesOf(recording: Recording, type: string): RecordedEntry[] {
  return recording.entries.filter((e) => (type.endsWith('.') ? e.type.startsWith(type) : e.type === type));
}

/** Ids of the agents of a story. */
export function storyAgents(recording: Recording, story: StoryId): Set<string> {
  return new Set(recording.agents.filter((a) => a.story === story).map((a) => a.id));
}

/** The display name of an agent, or its id. */
export function nameOf(recording: Recording, agentId: string): string {
  return recording.agents.find((a) => a.id === agentId)?.name ?? agentId;
}
