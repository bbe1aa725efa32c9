import { tryNormalizeSystemPresence } from '@lockstep/domain';
import type { FindingDoc, Reads } from '@lockstep/store';

/** The simulator's ground truth of one agent (`GET /__sim/agents`), the fields the suites compare. */
export interface AgentTruth {
  readonly id: string;
  readonly name: string;
  readonly presence: { readonly systemPresence: string; readonly modifiedDate: string };
  readonly routingStatus: { readonly status: string; readonly startTime: string };
  readonly station: { readonly id: string; readonly associated: boolean; readonly healthy: boolean } | null;
  readonly lastChangedBy?: { readonly presence: string; readonly routingStatus: string };
}

/** Presence, routing status and associated station, in the engine's spelling (`ON_QUEUE`, station id or null). */
export interface AgentView {
  readonly presence: string | null;
  readonly routing: string | null;
  readonly stationId: string | null;
}

/** The ground truth in the engine's spelling. Pure. */
export function truthView(truth: AgentTruth): AgentView {
  return {
    presence: tryNormalizeSystemPresence(truth.presence.systemPresence) ?? truth.presence.systemPresence,
    routing: truth.routingStatus.status,
    stationId: truth.station?.associated === true ? truth.station.id : null,
  };
}

interface StoredSignals {
  readonly presence?: { readonly value?: { readonly system?: string } };
  readonly routing?: { readonly value?: string };
  readonly station?: { readonly value?: { readonly stationId?: string | null } };
}

/** What the engine committed to Redis for one agent, or `null` when it never committed the agent. */
export async function engineView(reads: Reads, agentId: string): Promise<AgentView | null> {
  const record = await reads.readAgent(agentId);
  if (record === null) return null;
  const signals = (record.signals ?? {}) as StoredSignals;
  return {
    presence: signals.presence?.value?.system ?? null,
    routing: signals.routing?.value ?? null,
    stationId: signals.station?.value?.stationId ?? null,
  };
}

/** The agent's open findings as committed to Redis (empty for an agent never committed). */
export async function openFindings(reads: Reads, agentId: string): Promise<readonly FindingDoc[]> {
  return (await reads.readAgent(agentId))?.findings ?? [];
}

/** True when both views agree on presence, routing status and station. Pure. */
export function sameView(a: AgentView | null, b: AgentView | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.presence === b.presence &&
    a.routing === b.routing &&
    a.stationId === b.stationId
  );
}

const cell = (v: AgentView | null) =>
  v === null
    ? '(nothing committed)'
    : `${v.presence ?? '-'} / ${v.routing ?? '-'} / ${v.stationId ?? 'no station'}`;

/** A table of engine view vs ground truth, one line per agent, mismatches marked. Pure. */
export function describeViews(
  rows: ReadonlyArray<{
    readonly agentId: string;
    readonly engine: AgentView | null;
    readonly truth: AgentView;
  }>,
): string {
  const lines = rows.map(({ agentId, engine, truth }) => {
    const mark = sameView(engine, truth) ? '  ' : '≠ ';
    return `${mark}${agentId}: engine ${cell(engine)} | simulator ${cell(truth)}`;
  });
  return ['agent: presence / routing / station (engine | simulator)', ...lines].join('\n');
}
