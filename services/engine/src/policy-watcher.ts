import { applyRuleOverrides, type Policy } from '@lockstep/domain';
import type { Clock, TimerHandle } from '@lockstep/genesys';
import type { PolicyOverrides } from '@lockstep/store';
import type { Logger } from 'pino';

export interface PolicyWatcherDeps {
  readonly overrides: PolicyOverrides;
  /** The policy from the engine's configuration; overrides apply on top of it. */
  readonly base: Policy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called with the policy in force whenever the overrides change (not for the base policy itself). */
  readonly onChange: (policy: Policy) => void;
  /** How often the overrides are read. Default 2,000 ms: a change reaches every engine within about 2 s. */
  readonly intervalMs?: number;
}

/** Watches the rule overrides the admin API writes (`PUT /v1/rules/{id}`) and hands each new policy over. */
export interface PolicyWatcher {
  /** Reads the overrides once (applying them when present), then polls. */
  start(): Promise<void>;
  /** Stops polling. Idempotent. */
  close(): void;
}

export function createPolicyWatcher(deps: PolicyWatcherDeps): PolicyWatcher {
  const log = deps.logger.child({ component: 'policy-watcher' });
  const intervalMs = deps.intervalMs ?? 2_000;
  let seen = '[]';
  let timer: TimerHandle | undefined;
  let closed = false;

  async function poll(): Promise<void> {
    let text: string;
    let overrides: Awaited<ReturnType<PolicyOverrides['read']>>;
    try {
      overrides = await deps.overrides.read();
      text = JSON.stringify(Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b)));
    } catch (err) {
      log.warn({ err }, 'reading the policy overrides failed; keeping the policy in force');
      return;
    }
    if (text === seen) return;
    seen = text;
    const { policy, refused } = applyRuleOverrides(deps.base, overrides);
    if (refused.length > 0) log.warn({ refused }, 'rule overrides refused by the policy schema');
    log.info({ rules: Object.keys(overrides) }, 'policy overrides changed: new policy in force');
    deps.onChange(policy);
  }

  function schedule(): void {
    if (closed) return;
    timer = deps.clock.setTimeout(() => {
      void poll().finally(schedule);
    }, intervalMs);
  }

  return {
    async start() {
      await poll();
      schedule();
    },
    close() {
      closed = true;
      if (timer !== undefined) deps.clock.clearTimeout(timer);
    },
  };
}
