/**
 * Shared pieces of the engine benchmarks: machine description, percentiles, process CPU, the engine's topic set and
 * a recorder of real simulator firehose frames (text), used by the replay benchmark.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { agentUnit } from '@lockstep/genesys';
import { allUserIds, openChannels, repoRoot, type SimProcess, token } from '@lockstep/testkit';

/** The scenario every engine benchmark runs: 10,000 agents on 50 queues, no calls, no WFM. */
export const SCENARIO = 'firehose-10k';
export const SIM_CLIENT = { id: 'lockstep-demo', secret: 'lockstep-demo-secret' } as const;
/** The 50 queues of `firehose-10k` (every agent is on one of them). */
export const FIREHOSE_QUEUES: readonly string[] = Array.from(
  { length: 50 },
  (_, i) => `c0000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
);

/** One line naming the commit and the machine, for docs/benchmarks.md. */
export function describeMachine(): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim();
  } catch {
    // not a git checkout
  }
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gib = Math.round(totalmem() / 2 ** 30);
  return `commit ${commit}, ${cpus().length} cores (${cpu}), ${gib} GiB, Node.js ${process.version}`;
}

/** The q-quantile (0..1) of ascending-sorted values (nearest rank); NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Formats a number with thousands separators. */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The topics the engine subscribes for one agent with WFM off (the firehose scenario has no WFM). */
export function engineAgentTopics(agentId: string): readonly string[] {
  return agentUnit(agentId, { wfm: false }).core;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Subscribes a raw `ws` client (no lockstep code) to the engine's topics of every agent, runs the firehose at
 * `eventsPerSecond` and keeps the first `count` text frames that carry an event (heartbeats excluded). Stops the
 * firehose and closes the sockets before it returns. `startedAt`/`recordedAt`: when the firehose started and the
 * recording ended (epoch ms).
 */
export async function recordFirehoseFrames(
  sim: SimProcess,
  count: number,
  eventsPerSecond: number,
): Promise<{ frames: string[]; agentIds: string[]; startedAt: number; recordedAt: number }> {
  const bearer = await token(sim.baseUrl, SIM_CLIENT.id, SIM_CLIENT.secret);
  const agentIds = await allUserIds(sim.baseUrl, bearer);
  const frames: string[] = [];
  let resolveFull: () => void = () => {};
  const full = new Promise<void>((r) => {
    resolveFull = r;
  });
  const channels = await openChannels(sim.baseUrl, bearer, agentIds.flatMap(engineAgentTopics), (data) => {
    if (frames.length >= count) return;
    const text = data.toString();
    if (text.includes('"topicName":"channel.metadata"')) return;
    frames.push(text);
    if (frames.length === count) resolveFull();
  });
  const startedAt = Date.now();
  try {
    await sim.control('POST', '/__sim/actions', { type: 'firehose', eventsPerSecond });
    await full;
  } finally {
    await sim.control('POST', '/__sim/actions', { type: 'firehose', eventsPerSecond: 0 });
    for (const ch of channels) ch.socket.close();
  }
  return { frames, agentIds, startedAt, recordedAt: Date.now() };
}
