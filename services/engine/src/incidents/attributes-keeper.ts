import type { AgentAttributes, AgentContext, AgentSignals, Effect } from '@lockstep/domain';
import type { Clock, User } from '@lockstep/genesys';
import type { AgentProfileDoc, AgentProfiles, AttributesStore, FindingRef } from '@lockstep/store';
import type { Logger } from 'pino';
import { profileOf } from '../directory/profile-of.js';
import type { AgentMemberships } from '../discovery.js';
import { attributesOf, type UserFacts, userFacts, type WfmFacts } from './attributes-of.js';

export interface AttributesKeeperDeps {
  readonly store: AttributesStore;
  /** The agent directory (name, queues, division, management unit per agent), kept with the baseline. Optional. */
  readonly profiles?: Pick<AgentProfiles, 'write' | 'remove'>;
  /** Discovery's memberships of a tracked agent. */
  readonly memberships: (agentId: string) => AgentMemberships | undefined;
  /** Whether this engine holds its shard lease: only the holder writes the baseline of its agents. */
  readonly canAct: () => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often changes are written. Default 1 s. */
  readonly flushMs?: number;
  /** How often every agent is re-evaluated (a schedule change leaves the last 24 h without an event). Default 60 s. */
  readonly refreshMs?: number;
}

/**
 * Keeps the incident attributes of this engine's agents and writes them to Redis off the commit path:
 * - the baseline (`{agents}:attributes`): each agent's current attributes, written (one HSET per flush) when
 *   they changed, by the shard lease holder only;
 * - the agent directory (`{agents}:profiles`, with the name index and the membership tags of the agent list):
 *   each agent's name, queues, division and management unit, written in the same flush when they changed, by the
 *   lease holder only, once it has read the user (a new holder keeps what the previous one wrote until its own
 *   re-reads), and removed when the agent is no longer watched;
 * - the attributes at opening time: for each `finding.opened` a commit produced, the agent's attributes right
 *   after that commit, written once per finding (first write wins).
 * Commits only mark agents dirty (no I/O, no serialisation); the flush does the rest every `flushMs`. A write lost
 * to a crash is made good at the next flush of that agent (baseline) or replaced by the agent's baseline entry in
 * grouping (opening attributes).
 */
export interface AttributesKeeper {
  /** A commit landed (pipeline hook): keeps its signals and queues the opening attributes of new findings. */
  noteCommitted(agentId: string, context: AgentContext, effects: readonly Effect[]): void;
  /** A user read (resync hook): name, division and station type. */
  noteUser(user: User): void;
  /** Facts the WFM schedules work provides (management unit, zone, schedule change, shift start). */
  setWfmFacts(agentId: string, facts: WfmFacts): void;
  /** Discovery's memberships of these agents changed. */
  touch(agentIds: readonly string[]): void;
  /** These agents are no longer watched: their baseline entries are removed. */
  forget(agentIds: readonly string[]): Promise<void>;
  /** An agent's attributes now. */
  attributes(agentId: string): AgentAttributes;
  /** Writes what changed now. Never rejects: failures are logged and retried at the next flush. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer after a last flush. Idempotent. */
  close(): Promise<void>;
}

interface Known {
  signals?: AgentSignals;
  /** The signal facts the attributes read (see `signalFacts`) at the last commit. */
  facts?: string;
  timeOff?: unknown;
  plannedSchedule?: unknown;
  user?: UserFacts;
  wfm?: WfmFacts;
  /** The JSON last written to the baseline. */
  written?: string;
  /** The profile content (without `updatedAt`) last written to the directory. */
  profile?: string;
}

/** The part of the signals the attributes read, besides time off (compared by reference). */
function signalFacts(signals: AgentSignals): string {
  const active = (signals.interactions?.value.active ?? 0) > 0;
  return `${active ? 1 : 0}|${signals.presence?.value.source ?? ''}`;
}

/** Work a flush does between two yields to the event loop (ms): a pass over every agent never holds events back longer. */
const SLICE_MS = 2;

export function createAttributesKeeper(deps: AttributesKeeperDeps): AttributesKeeper {
  const { store, clock } = deps;
  const log = deps.logger.child({ component: 'incident-attributes' });
  const flushMs = deps.flushMs ?? 1_000;
  const refreshMs = deps.refreshMs ?? 60_000;
  const known = new Map<string, Known>();
  const dirty = new Set<string>();
  let captures: Array<FindingRef & { attributes: AgentAttributes }> = [];
  let timer: unknown;
  let lastRefresh = clock.now();
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;

  const entry = (agentId: string): Known => {
    let k = known.get(agentId);
    if (k === undefined) {
      k = {};
      known.set(agentId, k);
    }
    return k;
  };

  function attributes(agentId: string): AgentAttributes {
    const k = known.get(agentId);
    return attributesOf({
      memberships: deps.memberships(agentId),
      user: k?.user,
      wfm: k?.wfm,
      signals: k?.signals,
      now: clock.now(),
    });
  }

  async function write(): Promise<void> {
    const now = clock.now();
    if (now - lastRefresh >= refreshMs) {
      lastRefresh = now;
      for (const agentId of known.keys()) dirty.add(agentId);
    }
    const taken = captures;
    captures = [];
    if (taken.length > 0) {
      try {
        await store.captureFindings(taken);
      } catch (err) {
        captures = [...taken, ...captures];
        log.warn({ err, findings: taken.length }, 'opening attributes not written: retrying');
      }
    }
    if (dirty.size === 0 || !deps.canAct()) return;
    const changed = new Map<string, AgentAttributes>();
    const texts = new Map<string, string>();
    const profiles = new Map<string, { doc: AgentProfileDoc; text: string }>();
    const batch = [...dirty];
    dirty.clear();
    let sliceStart = performance.now();
    let sinceCheck = 0;
    for (const agentId of batch) {
      // A pass over every agent (the periodic refresh) must not hold events back: yield every few milliseconds.
      if (++sinceCheck >= 16) {
        sinceCheck = 0;
        if (performance.now() - sliceStart >= SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
      if (deps.memberships(agentId) === undefined) continue;
      const k = known.get(agentId);
      const value = attributes(agentId);
      // Only after this engine read the user: a new lease holder that has not re-read its agents yet would
      // otherwise blank the names and divisions the previous holder wrote.
      if (deps.profiles !== undefined && k?.user !== undefined) {
        const content = profileOf(agentId, k.user.name, value);
        const text = JSON.stringify(content);
        if (k?.profile !== text) profiles.set(agentId, { doc: { ...content, updatedAt: now }, text });
      }
      const text = JSON.stringify(value);
      if (k?.written === text) continue;
      changed.set(agentId, value);
      texts.set(agentId, text);
    }
    if (changed.size > 0) {
      try {
        await store.writeAgents(changed);
        for (const [agentId, text] of texts) {
          const k = known.get(agentId);
          if (k !== undefined) k.written = text;
        }
      } catch (err) {
        for (const agentId of changed.keys()) dirty.add(agentId);
        log.warn({ err, agents: changed.size }, 'agent attributes not written: retrying');
      }
    }
    if (profiles.size > 0 && deps.profiles !== undefined) {
      try {
        await deps.profiles.write([...profiles.values()].map((p) => p.doc));
        for (const [agentId, { text }] of profiles) {
          const k = known.get(agentId);
          if (k !== undefined) k.profile = text;
        }
      } catch (err) {
        for (const agentId of profiles.keys()) dirty.add(agentId);
        log.warn({ err, agents: profiles.size }, 'agent profiles not written: retrying');
      }
    }
  }

  function flush(): Promise<void> {
    flushing = flushing.then(write).catch((err: unknown) => log.error({ err }, 'attributes flush failed'));
    return flushing;
  }

  function schedule(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      void flush().finally(schedule);
    }, flushMs);
  }

  return {
    noteCommitted(agentId, context, effects) {
      const k = entry(agentId);
      const { signals } = context;
      k.signals = signals;
      // Most commits (presence and routing flips) change no attribute: only those that may are re-evaluated.
      const facts = signalFacts(signals);
      if (
        k.facts !== facts ||
        k.timeOff !== signals.timeOff ||
        k.plannedSchedule !== signals.plannedSchedule
      ) {
        k.facts = facts;
        k.timeOff = signals.timeOff;
        k.plannedSchedule = signals.plannedSchedule;
        dirty.add(agentId);
      }
      for (const effect of effects) {
        if (effect.type !== 'finding.opened') continue;
        captures.push({ agentId, findingId: effect.finding.id, attributes: attributes(agentId) });
      }
    },
    noteUser(user) {
      if (user.id === undefined || deps.memberships(user.id) === undefined) return;
      entry(user.id).user = userFacts(user);
      dirty.add(user.id);
    },
    setWfmFacts(agentId, facts) {
      const k = entry(agentId);
      k.wfm = { ...k.wfm, ...facts };
      dirty.add(agentId);
    },
    touch(agentIds) {
      for (const agentId of agentIds) {
        entry(agentId);
        dirty.add(agentId);
      }
    },
    async forget(agentIds) {
      for (const agentId of agentIds) {
        known.delete(agentId);
        dirty.delete(agentId);
      }
      if (!deps.canAct()) return;
      await store
        .removeAgents(agentIds)
        .catch((err: unknown) => log.warn({ err }, 'agent attributes not removed'));
      await deps.profiles
        ?.remove(agentIds)
        .catch((err: unknown) => log.warn({ err }, 'agent profiles not removed'));
    },
    attributes,
    flush,
    start() {
      if (timer === undefined && !closed) schedule();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await flush();
    },
  };
}
