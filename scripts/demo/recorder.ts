/**
 * Records what the running product does: tails the engine's outbox with its own consumer group, scrapes the
 * engine's and the notifier's metrics, reads the webhook receiver's output, and at the end reads the agents
 * from the simulator's ground truth and lockstep's Redis. `snapshot()` turns it into a `Recording`.
 */
import { createOutbox, createReads, type Keys, type RedisClient } from '@lockstep/store';
import type { AgentInfo, ReceivedAlert, RecordedEntry, Recording, StoryId } from './recording.js';
import { httpText } from './services.js';

/** The simulator's ground truth of one agent (the fields the demo reads). */
export interface Truth {
  readonly id: string;
  readonly name: string;
  readonly activeQueueIds: readonly string[];
  readonly managementUnitId: string | null;
  readonly presence: { readonly systemPresence: string };
  readonly station: { readonly associated: boolean; readonly healthy: boolean } | null;
  readonly lastChangedBy?: { readonly presence?: string };
}

/** Which agents belong to which story, from the scenario the simulator plays. */
export interface StoryMap {
  /** Queue of the Tuesday push. */
  readonly tuesdayQueueId: string;
  /** Management units of the Friday publish, with their time zones. */
  readonly managementUnits: ReadonlyMap<string, { readonly name: string; readonly timeZone: string }>;
}

export function storyOf(truth: Truth, map: StoryMap): StoryId {
  if (truth.activeQueueIds.includes(map.tuesdayQueueId)) return 'tuesday';
  if (truth.managementUnitId !== null && map.managementUnits.has(truth.managementUnitId)) return 'friday';
  return 'background';
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** One outbox effect as a `RecordedEntry`; reads only the fields it knows, whatever the effect type. Pure. */
export function toEntry(id: string, agentId: string, at: number, effect: unknown): RecordedEntry {
  const e = obj(effect);
  const finding = obj(e.finding);
  const intent = obj(e.intent);
  const incident = obj(e.incident);
  const inner = { ...obj(e.correction), ...obj(e.declaration), ...incident, ...intent, ...e };
  // An incident entry lists its failing agents and (some of) its recovered ones.
  const incidentAgents = [incident.failingAgentIds, incident.recoveredAgentIds]
    .filter(Array.isArray)
    .flat() as unknown[];
  const members =
    incidentAgents.length > 0
      ? incidentAgents
      : ([incident.agentIds, incident.members, e.agentIds].find(Array.isArray) as unknown[] | undefined);
  return {
    id,
    agentId,
    at,
    type: str(e.type) ?? 'unknown',
    ruleId: str(finding.ruleId) ?? str(inner.ruleId),
    findingId: str(finding.id) ?? str(inner.findingId),
    summary: str(finding.summary) ?? str(inner.summary) ?? str(inner.text),
    status: str(obj(finding.correction).status) ?? str(inner.status) ?? str(inner.outcome),
    reason: str(inner.reason) ?? str(inner.refusal),
    agentIds: (members ?? []).flatMap((m) => str(m) ?? str(obj(m).agentId) ?? []),
  };
}

/** Sum of every sample of `name` in a Prometheus text page whose labels contain `label` (if given). Pure. */
export function metricSum(page: string, name: string, label?: string): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (label !== undefined && !line.includes(label)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** The receiver's alert lines (`<timestamp> <type> <webhook-id> key=value ... "summary"`). Pure. */
export function parseReceiverLines(text: string): ReceivedAlert[] {
  const out: ReceivedAlert[] = [];
  for (const line of text.split('\n')) {
    const head = line.split(' "')[0] ?? '';
    const [timestamp, type, webhookId, ...rest] = head.split(' ');
    if (!timestamp || !/^\d{4}-\d\d-\d\dT/.test(timestamp) || !type || !webhookId) continue;
    const field = (key: string) => rest.find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1) ?? null;
    out.push({ type, webhookId, agentId: field('agentId'), ruleId: field('ruleId') });
  }
  return out;
}

/** How the schedule changed recently, when the engine's signals record it; `null` otherwise. */
function scheduleChangeOf(signals: Record<string, unknown>): string | null {
  const schedule = obj(obj(signals.schedule).value);
  const change = schedule.lastChange ?? obj(signals.scheduleChange).value;
  return str(change) ?? str(obj(change).kind);
}

export interface RecorderOptions {
  readonly redis: RedisClient;
  /** A second client for the blocking outbox reads. */
  readonly readRedis: RedisClient;
  readonly keys: Keys;
  readonly engineMetricsUrl: string;
  readonly notifierMetricsUrl: string;
  readonly receiverLog: () => string;
  readonly truth: () => Promise<readonly Truth[]>;
  readonly stories: StoryMap;
}

export interface Recorder {
  /** Reads new outbox entries; answers them (for the live event lines). */
  pollOutbox(): Promise<RecordedEntry[]>;
  /** Scrapes the metrics and reads the receiver's output. */
  pollMetrics(): Promise<void>;
  /** Reads the agents: ground truth and lockstep's readings (`full` also reads each agent's signals). */
  pollAgents(full: boolean): Promise<void>;
  noteDeclared(agentId: string, at: number): void;
  snapshot(): Recording;
}

export async function createRecorder(options: RecorderOptions): Promise<Recorder> {
  const { redis, keys } = options;
  const outbox = createOutbox({ redis, keys, group: 'demo', readRedis: options.readRedis });
  await outbox.ensureGroup('all');
  const reads = createReads({ redis, keys });
  const startedAt = Date.now();
  const entries: RecordedEntry[] = [];
  const seen = new Set<string>();
  const declared: { agentId: string; at: number }[] = [];
  let agents: AgentInfo[] = [];
  let alerts: ReceivedAlert[] = [];
  let engine = { trackedAgents: 0, eventsReceived: 0, eventsPerSecond: 0, declarationsApplied: 0 };
  let notifier = { delivered: 0, retried: 0 };
  let lastEvents: { at: number; count: number } | undefined;
  let openFindings: { agentId: string; ruleId: string }[] = [];
  let correctionCommits: { agentId: string; count: number }[] = [];

  return {
    async pollOutbox() {
      const batch = await outbox.readGroup('demo', 500, 200);
      const fresh: RecordedEntry[] = [];
      for (const m of batch) {
        if (seen.has(m.id) || m.malformed !== undefined) continue;
        seen.add(m.id);
        fresh.push(toEntry(m.id, m.agentId, m.at, m.effect));
      }
      entries.push(...fresh);
      if (batch.length > 0) await outbox.ack(batch);
      return fresh;
    },
    async pollMetrics() {
      const page = await httpText(options.engineMetricsUrl);
      if (page !== undefined) {
        const count = metricSum(page, 'lockstep_events_received_total');
        const now = Date.now();
        const rate = lastEvents ? ((count - lastEvents.count) * 1000) / Math.max(1, now - lastEvents.at) : 0;
        lastEvents = { at: now, count };
        engine = {
          trackedAgents: metricSum(page, 'lockstep_tracked_agents'),
          eventsReceived: count,
          eventsPerSecond: rate,
          declarationsApplied: metricSum(page, 'lockstep_commands_total', 'outcome="applied"'),
        };
      }
      const notifierPage = await httpText(options.notifierMetricsUrl);
      if (notifierPage !== undefined) {
        notifier = {
          delivered: metricSum(notifierPage, 'lockstep_webhook_attempts_total', 'outcome="delivered"'),
          retried: metricSum(notifierPage, 'lockstep_webhook_attempts_total', 'outcome="retry"'),
        };
      }
      alerts = parseReceiverLines(options.receiverLog());
    },
    async pollAgents(full) {
      const truth = await options.truth();
      // A failed read of the ground truth keeps the last one.
      if (truth.length === 0) return;
      const signalsOf = async (id: string) =>
        full ? obj((await reads.readAgent(id))?.signals) : ({} as Record<string, unknown>);
      agents = await Promise.all(
        truth.map(async (t): Promise<AgentInfo> => {
          const signals = await signalsOf(t.id);
          const timeOff = obj(obj(signals.timeOff).value);
          const unit =
            t.managementUnitId === null ? undefined : options.stories.managementUnits.get(t.managementUnitId);
          return {
            id: t.id,
            name: t.name,
            story: storyOf(t, options.stories),
            managementUnit: unit?.name ?? null,
            timeZone: unit?.timeZone ?? null,
            presence: t.presence.systemPresence,
            stationDead: t.station !== null && t.station.associated && !t.station.healthy,
            stationLost:
              t.presence.systemPresence === 'On Queue' && (t.station === null || !t.station.associated),
            pendingTimeOff: typeof timeOff.pending === 'number' ? timeOff.pending : null,
            scheduleChange: scheduleChangeOf(signals),
          };
        }),
      );
      if (full) {
        const open = await reads.listOpenFindings({ limit: 1000 });
        openFindings = open.map((o) => ({ agentId: o.agentId, ruleId: o.finding.ruleId }));
        const histories = await Promise.all(
          truth.map(async (t) => ({
            agentId: t.id,
            count: (await reads.readHistory(t.id, { count: 1000 })).filter((h) => h.cause === 'correction')
              .length,
          })),
        );
        correctionCommits = histories.filter((h) => h.count > 0);
      }
    },
    noteDeclared(agentId, at) {
      declared.push({ agentId, at });
    },
    snapshot() {
      return {
        startedAt,
        endedAt: Date.now(),
        agents: [...agents],
        entries: [...entries],
        alerts: [...alerts],
        declared: [...declared],
        engine,
        notifier,
        correctionCommits: [...correctionCommits],
        openFindings: [...openFindings],
      };
    },
  };
}
