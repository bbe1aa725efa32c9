import {
  type BackoffOptions,
  backoffDelay,
  type Clock,
  type GenesysApi,
  isGenesysError,
} from '@lockstep/genesys';
import type { Logger } from 'pino';
import { type AgentSelector, inShard, type Shard } from './selector.js';

export interface DiscoveryDeps {
  readonly api: Pick<GenesysApi, 'users' | 'wfm'>;
  readonly selector: AgentSelector;
  readonly shard: Shard;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Periodic refresh. */
  readonly intervalMs: number;
  /** Queue-membership events are coalesced for this long before a refresh. Default 1 s. */
  readonly membershipDebounceMs?: number;
  /**
   * Backoff between retries of selector items whose read failed (until every item resolves). Default 1 s doubling
   * to at most 5 s, so that agents are tracked within seconds of a platform outage ending.
   */
  readonly retryBackoff?: BackoffOptions;
  /** Called once, after the refresh that made discovery ready when `start()` left it not ready. */
  readonly onReady?: () => void;
  /**
   * Called after each resolution with the tracked agents whose memberships (see `Discovery.memberships`) changed,
   * before `onChange`. Must not throw. Default: nobody.
   */
  readonly onMemberships?: (agentIds: readonly string[]) => void;
  /** Called after each refresh that changed the set (never concurrently). */
  readonly onChange: (change: { added: readonly string[]; removed: readonly string[] }) => Promise<void>;
}

/**
 * Resolves the agent selector over REST (users by id; queue members; division = every user filtered by
 * `division.id`; management-unit users via WFM), keeps the agents of this engine's shard, and refreshes
 * periodically and after queue-membership events. An item whose read fails keeps its previous members, so a
 * transient error never drops agents. A transient failure (5xx, 429, network) is retried with backoff until the item
 * resolves; a refusal (404, 403, 400) is logged and left to the periodic refresh. Discovery is ready once the
 * platform has answered for every item at least once: until then some selected agents may be untracked.
 */
export interface Discovery {
  /** First resolution. Returns the agents. */
  start(): Promise<readonly string[]>;
  /** Re-resolves now (refreshes are serialised). Never rejects: failures are logged. */
  refresh(reason: string): Promise<void>;
  /** A queue-membership notification: refresh soon when the queue is selected. */
  onMembership(queueId: string): void;
  agents(): ReadonlySet<string>;
  /**
   * What the selector reads said about a tracked agent: the selected queues it is a member of, and the selected
   * management units and divisions that list it (`undefined` for an untracked agent). Items read by user id add
   * nothing.
   */
  memberships(agentId: string): AgentMemberships | undefined;
  /** The platform has answered for every selector item at least once (agents of an item never read are untracked). */
  ready(): boolean;
  /** Selector items whose last read failed transiently (being retried). */
  failing(): readonly string[];
  /** Stops the timers and waits for a refresh in flight. Idempotent. */
  close(): Promise<void>;
}

/** The selector items an agent was found through. */
export interface AgentMemberships {
  readonly queueIds: readonly string[];
  readonly managementUnitIds: readonly string[];
  readonly divisionIds: readonly string[];
}

const NO_MEMBERSHIPS: AgentMemberships = Object.freeze({
  queueIds: Object.freeze([]),
  managementUnitIds: Object.freeze([]),
  divisionIds: Object.freeze([]),
});

/** Memberships per agent from the items read (`queue:<id>`, `mu:<id>`, `division:<id>` → member ids). Pure. */
function membershipsOf(byItem: ReadonlyMap<string, readonly string[]>, agents: ReadonlySet<string>) {
  const out = new Map<string, { queueIds: string[]; managementUnitIds: string[]; divisionIds: string[] }>();
  for (const [key, ids] of byItem) {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const id = key.slice(colon + 1);
    const field =
      kind === 'queue'
        ? 'queueIds'
        : kind === 'mu'
          ? 'managementUnitIds'
          : kind === 'division'
            ? 'divisionIds'
            : undefined;
    if (field === undefined) continue;
    for (const agentId of ids) {
      if (!agents.has(agentId)) continue;
      let entry = out.get(agentId);
      if (entry === undefined) {
        entry = { queueIds: [], managementUnitIds: [], divisionIds: [] };
        out.set(agentId, entry);
      }
      if (!entry[field].includes(id)) entry[field].push(id);
    }
  }
  return out as Map<string, AgentMemberships>;
}

const sameMemberships = (a: AgentMemberships | undefined, b: AgentMemberships | undefined): boolean =>
  JSON.stringify(a ?? NO_MEMBERSHIPS) === JSON.stringify(b ?? NO_MEMBERSHIPS);

/** A refusal that retrying will not change (unknown queue or unit, missing permission, bad request). */
function isPermanent(err: unknown): boolean {
  return (
    isGenesysError(err, 'GENESYS_NOT_FOUND') ||
    isGenesysError(err, 'GENESYS_FORBIDDEN') ||
    isGenesysError(err, 'GENESYS_BAD_REQUEST')
  );
}

export function createDiscovery(deps: DiscoveryDeps): Discovery {
  const { api, selector, clock } = deps;
  const log = deps.logger.child({ component: 'discovery' });
  const debounceMs = deps.membershipDebounceMs ?? 1_000;
  const byItem = new Map<string, readonly string[]>();
  // Items whose last read failed (retried with backoff), and the number of retries since they all resolved.
  const failed = new Set<string>();
  let retries = 0;
  let retryTimer: unknown;
  const itemKeys = [
    ...selector.queues.map((q) => `queue:${q}`),
    ...selector.divisions.map((d) => `division:${d}`),
    ...selector.managementUnits.map((m) => `mu:${m}`),
  ];
  let current = new Set<string>();
  let memberships = new Map<string, AgentMemberships>();
  let chain: Promise<void> = Promise.resolve();
  let periodic: unknown;
  let debounce: unknown;
  let closed = false;
  const queues = new Set(selector.queues.map((q) => q.toLowerCase()));

  function ready(): boolean {
    return itemKeys.every((key) => byItem.has(key));
  }

  async function item(key: string, read: () => Promise<string[]>): Promise<void> {
    try {
      byItem.set(key, await read());
      failed.delete(key);
    } catch (err) {
      if (isPermanent(err)) {
        // The platform answered: a configuration problem, logged and left to the periodic refresh.
        if (!byItem.has(key)) byItem.set(key, []);
        failed.delete(key);
      } else failed.add(key);
      log[isPermanent(err) ? 'warn' : 'error'](
        { err, item: key, kept: byItem.get(key)?.length ?? 0 },
        'selector item could not be resolved',
      );
    }
  }

  async function resolve(): Promise<Set<string>> {
    const reads: Promise<void>[] = [];
    for (const id of selector.users) byItem.set(`user:${id}`, [id]);
    for (const q of selector.queues) {
      reads.push(
        item(`queue:${q}`, async () => (await api.users.listQueueMembers(q)).flatMap((m) => m.id ?? [])),
      );
    }
    if (selector.divisions.length > 0) {
      reads.push(
        (async () => {
          let users: Awaited<ReturnType<typeof api.users.listUsers>>;
          try {
            users = await api.users.listUsers({ expand: [] });
          } catch (err) {
            for (const d of selector.divisions) {
              const key = `division:${d}`;
              if (!isPermanent(err)) failed.add(key);
              else if (!byItem.has(key)) byItem.set(key, []);
            }
            log.error({ err, kept: selector.divisions.length }, 'division members could not be listed');
            return;
          }
          for (const d of selector.divisions) {
            failed.delete(`division:${d}`);
            byItem.set(
              `division:${d}`,
              users.filter((u) => u.division?.id === d).flatMap((u) => u.id ?? []),
            );
          }
        })(),
      );
    }
    for (const mu of selector.managementUnits) {
      reads.push(
        item(`mu:${mu}`, async () => (await api.wfm.listManagementUnitUsers(mu)).flatMap((u) => u.id ?? [])),
      );
    }
    await Promise.all(reads);
    scheduleRetry();
    const next = new Set<string>();
    for (const ids of byItem.values()) for (const id of ids) if (inShard(id, deps.shard)) next.add(id);
    keepMemberships(next);
    return next;
  }

  /** Discovery keeps what the reads said about each agent (queues, units, divisions) for incident attributes. */
  function keepMemberships(agents: ReadonlySet<string>): void {
    const next = membershipsOf(byItem, agents);
    const changed = [...agents].filter((id) => !sameMemberships(memberships.get(id), next.get(id)));
    memberships = next;
    if (changed.length > 0) deps.onMemberships?.(changed);
  }

  function refresh(reason: string): Promise<void> {
    const run = chain.then(async () => {
      if (closed) return;
      const wasReady = ready();
      const next = await resolve();
      const added = [...next].filter((id) => !current.has(id));
      const removed = [...current].filter((id) => !next.has(id));
      current = next;
      if (added.length > 0 || removed.length > 0) {
        log.info(
          { reason, added: added.length, removed: removed.length, agents: next.size },
          'agent set changed',
        );
        await deps.onChange({ added, removed });
      }
      if (!wasReady && ready()) deps.onReady?.();
    });
    chain = run.catch((err: unknown) => log.error({ err, reason }, 'discovery refresh failed'));
    return chain;
  }

  /** After a resolution: retry the failed items with backoff, or reset the backoff once none failed. */
  function scheduleRetry(): void {
    if (failed.size === 0) {
      if (retries > 0) log.info({ retries }, 'every selector item resolved');
      retries = 0;
      return;
    }
    if (closed || retryTimer !== undefined) return;
    retries++;
    const delayMs = backoffDelay(retries, deps.retryBackoff ?? { baseMs: 1_000, maxMs: 5_000 });
    log.warn(
      { failing: [...failed], retry: retries, delayMs },
      'selector items failed: retrying (not ready until each resolves once)',
    );
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      void refresh('retry');
    }, delayMs);
  }

  function schedulePeriodic(): void {
    if (closed) return;
    periodic = clock.setTimeout(() => {
      void refresh('periodic').finally(schedulePeriodic);
    }, deps.intervalMs);
  }

  return {
    async start() {
      current = await resolve();
      log.info({ agents: current.size }, 'agents discovered');
      schedulePeriodic();
      return [...current];
    },
    refresh,
    onMembership(queueId) {
      if (closed || !queues.has(queueId.toLowerCase()) || debounce !== undefined) return;
      debounce = clock.setTimeout(() => {
        debounce = undefined;
        void refresh('membership');
      }, debounceMs);
    },
    agents: () => current,
    memberships: (agentId) =>
      current.has(agentId) ? (memberships.get(agentId) ?? NO_MEMBERSHIPS) : undefined,
    ready,
    failing: () => [...failed],
    async close() {
      closed = true;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      if (periodic !== undefined) clock.clearTimeout(periodic);
      if (debounce !== undefined) clock.clearTimeout(debounce);
      await chain;
    },
  };
}
