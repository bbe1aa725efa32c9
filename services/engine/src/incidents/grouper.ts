import {
  type AgentAttributes,
  type GroupedFinding,
  groupIncidents,
  type Incident,
  type IncidentSettings,
} from '@lockstep/domain';
import type { Clock } from '@lockstep/genesys';
import {
  type AttributesStore,
  createLeases,
  type IncidentDoc,
  type IncidentStore,
  type Keys,
  type Lease,
  type Outbox,
  type RedisClient,
} from '@lockstep/store';
import type { Logger } from 'pino';
import { incidentEntry } from './incident-entries.js';
import type { IncidentMetrics } from './incident-metrics.js';
import { readOpenFindings } from './open-findings.js';

/** The name of the lease one grouper at a time holds, whatever the number of engine shards. */
export const INCIDENT_LEASE = 'incidents';

export interface IncidentGrouperDeps {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly incidents: IncidentStore;
  readonly attributes: AttributesStore;
  readonly outbox: Pick<Outbox, 'publishEntries'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This engine's instance id: the lease owner. */
  readonly owner: string;
  readonly settings: IncidentSettings;
  /** Time between grouping passes. */
  readonly intervalMs: number;
  /** The grouper lease's time to live; renewed at every pass. Default 3 × `intervalMs` (at least 5 s). */
  readonly leaseTtlMs?: number;
  /** Passes between two sweeps of opening attributes left by findings that closed. Default 12. */
  readonly sweepEvery?: number;
  /**
   * How long a read of the baseline (every watched agent's attributes, one HGETALL) serves changing passes before
   * it is read again. Default 60 s: the shares among all watched agents move slowly, and a storm of findings
   * changes an incident at every pass.
   */
  readonly baselineMaxAgeMs?: number;
  readonly metrics?: IncidentMetrics;
}

/**
 * The incident grouper: one engine at a time (its own lease, `incidents`) groups the open findings of EVERY
 * shard (the global per-rule indexes) into incidents every `intervalMs`:
 * 1. publishes announcements stored by a previous pass but not published (a crash between the two);
 * 2. reads the open findings and the attributes each agent had when its finding opened;
 * 3. runs `groupIncidents` (the baseline of every watched agent is read only when an incident changes, and at
 *    most once per `baselineMaxAgeMs`);
 * 4. under the lease, stores the changed incidents with their `incident.*` outbox entries in one MULTI, then
 *    publishes the entries (stable ids: a retry appends nothing).
 * A finding that closes leaves the indexes; grouping then records its agent as recovered, and the incident resolves
 * when its last agent recovered.
 */
export interface IncidentGrouper {
  start(): void;
  /** One pass now (tests, benchmarks). Resolves `false` when another engine holds the lease. */
  runOnce(): Promise<boolean>;
  /** Whether this engine held the grouper lease at its last pass. */
  leader(): boolean;
  /** Stops the loop after the pass in flight and gives the lease up. Idempotent. */
  close(): Promise<void>;
}

export function createIncidentGrouper(deps: IncidentGrouperDeps): IncidentGrouper {
  const { redis, keys, clock, settings } = deps;
  const log = deps.logger.child({ component: 'incidents' });
  const leases = createLeases({ redis, keys });
  const ttlMs = deps.leaseTtlMs ?? Math.max(5_000, deps.intervalMs * 3);
  const sweepEvery = deps.sweepEvery ?? 12;
  const baselineMaxAgeMs = deps.baselineMaxAgeMs ?? 60_000;
  let baseline: { readonly at: number; readonly agents: Map<string, unknown> } | null = null;
  let lease: Lease | null = null;
  // Open incidents as last stored, loaded when the lease is taken.
  let open: Incident[] | null = null;
  // Opening attributes of open findings: immutable once captured, so read once.
  const captured = new Map<string, AgentAttributes>();
  let passes = 0;
  let timer: unknown;
  let running: Promise<boolean> | undefined;
  let closed = false;

  async function holdLease(): Promise<boolean> {
    if (lease !== null) {
      try {
        await leases.renewLease(lease, ttlMs);
        return true;
      } catch (err) {
        log.warn({ err }, 'incident grouper lease lost');
        lease = null;
        open = null;
      }
    }
    lease = await leases.acquireLease(INCIDENT_LEASE, deps.owner, ttlMs);
    if (lease !== null) {
      log.info({ token: lease.token }, 'incident grouper lease acquired');
      open = null;
    }
    return lease !== null;
  }

  async function publishPending(): Promise<void> {
    const pending = await deps.incidents.pendingEntries();
    if (pending.length === 0) return;
    await deps.outbox.publishEntries(pending);
    await deps.incidents.clearPending(pending.length);
  }

  async function pass(): Promise<boolean> {
    if (!(await holdLease())) return false;
    const started = clock.now();
    await publishPending();
    open ??= (await deps.incidents.openIncidents()) as unknown as Incident[];
    passes++;
    // Read the captured fields BEFORE the indexes, so a field absent from the later index read is really closed.
    const sweep = passes % sweepEvery === 0 ? await redis.hkeys(keys.findingAttributes()) : null;
    const indexed = await readOpenFindings(redis, keys);
    const missing = indexed.filter((f) => !captured.has(f.member));
    if (missing.length > 0) {
      const values = await deps.attributes.readFindings(missing);
      missing.forEach((f, i) => {
        const value = values[i];
        if (typeof value === 'object' && value !== null) captured.set(f.member, value as AgentAttributes);
      });
    }
    // The baseline of every watched agent, read only when needed and at most once per its maximum age.
    const readCurrent = async () => {
      if (baseline === null || clock.now() - baseline.at >= baselineMaxAgeMs) {
        baseline = { at: clock.now(), agents: await deps.attributes.readAgents() };
      }
      return baseline.agents;
    };
    const fallback = async (agentId: string): Promise<AgentAttributes> =>
      ((await readCurrent()).get(agentId) as AgentAttributes | undefined) ?? {};
    const findings: GroupedFinding[] = [];
    for (const f of indexed) {
      findings.push({
        findingId: f.findingId,
        agentId: f.agentId,
        ruleId: f.ruleId,
        openedAt: f.openedAt,
        resolvedAt: null,
        // Not captured (yet, or lost to a crash): the agent's current attributes stand in.
        attributes: captured.get(f.member) ?? (await fallback(f.agentId)),
      });
    }
    const now = clock.now();
    const input = { incidents: open, findings, now, settings };
    // Grouping without a baseline tells whether anything changes; only then is the baseline read.
    let result = groupIncidents({ ...input, baseline: [] });
    if (result.changes.length > 0) {
      const all = [...(await readCurrent()).values()] as AgentAttributes[];
      result = groupIncidents({ ...input, baseline: all });
      const changed = result.changes.map((c) => c.incident as unknown as IncidentDoc);
      const entries = result.changes.map((c) => incidentEntry(c, now));
      // Nothing pages anyone unless this engine still holds the lease.
      if (!(await holdLease())) return false;
      await deps.incidents.save(changed, entries);
      // Stored: from here on the changes are made, whatever happens to their publication.
      open = result.incidents.filter((i) => i.status === 'open');
      for (const c of result.changes) {
        deps.metrics?.changes.inc({ type: c.type, rule: c.incident.ruleId });
        log.info(
          { incidentId: c.incident.id, type: c.type, agents: c.incident.members.length },
          c.incident.summary,
        );
      }
      // A publication that fails stays pending and goes out first at the next pass.
      await publishPending().catch((err: unknown) =>
        log.warn({ err }, 'incident changes stored but not published yet: retrying at the next pass'),
      );
    }
    open = result.incidents.filter((i) => i.status === 'open');
    deps.metrics?.open.set(open.length);

    const openMembers = new Set(indexed.map((f) => f.member));
    for (const member of captured.keys()) if (!openMembers.has(member)) captured.delete(member);
    if (sweep !== null) {
      const closedFields = sweep.filter((m) => !openMembers.has(m));
      if (closedFields.length > 0) await redis.hdel(keys.findingAttributes(), ...closedFields);
    }
    deps.metrics?.passSeconds.observe((clock.now() - started) / 1000);
    return true;
  }

  function runOnce(): Promise<boolean> {
    const run = (running ?? Promise.resolve(false)).then(pass, pass);
    running = run.catch((err: unknown) => {
      log.error({ err }, 'incident grouping failed');
      return false;
    });
    return run;
  }

  function schedule(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      void runOnce()
        .catch(() => undefined)
        .finally(schedule);
    }, deps.intervalMs);
  }

  return {
    start() {
      if (timer === undefined && !closed) schedule();
    },
    runOnce,
    leader: () => lease !== null,
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await running;
      if (lease !== null) {
        const held = lease;
        lease = null;
        await leases.releaseLease(held).catch((err: unknown) => log.warn({ err }, 'lease release failed'));
      }
    },
  };
}
