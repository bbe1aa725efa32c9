import type { WorldEvent } from '../world/contract.js';
import type { DeliveryStats } from './stats.js';

/** One active event-delivery fault (a `TransportFault` of kind `events`). */
export interface EventFaultRule {
  readonly mode: 'drop' | 'delay' | 'duplicate' | 'reorder';
  /** Lower-cased topic substring. */
  readonly topic?: string;
  readonly agentId?: string;
  readonly probability: number;
  readonly delayMs: number;
}

export interface DeliveryFaults {
  add(id: string, rule: EventFaultRule): void;
  /** Ends a rule; a `reorder` rule releases what it holds at once. Idempotent. */
  remove(id: string): void;
  /** Routes an event through the first matching rule (if its probability draw hits), else delivers it. */
  process(event: WorldEvent): void;
  activeCount(): number;
  /** Drops held events and timers. */
  close(): void;
}

export interface DeliveryFaultsOptions {
  readonly deliver: (event: WorldEvent) => void;
  /** Uniform [0,1) draws from the seeded RNG. */
  readonly random: () => number;
  readonly stats: DeliveryStats;
}

interface ActiveRule extends EventFaultRule {
  held: WorldEvent[];
  timer: NodeJS.Timeout | undefined;
}

/**
 * Drop / delay / duplicate / reorder of events, decided per event with a seeded RNG. At most one rule acts on an
 * event (the oldest matching one whose draw hits). `reorder` holds matching events for `delayMs` and then releases
 * them newest first, so they arrive in reverse order and after events that were not held.
 */
export function createDeliveryFaults(opts: DeliveryFaultsOptions): DeliveryFaults {
  const rules = new Map<string, ActiveRule>();
  const timers = new Set<NodeJS.Timeout>();
  const { deliver, stats } = opts;

  const release = (rule: ActiveRule) => {
    if (rule.timer) clearTimeout(rule.timer);
    rule.timer = undefined;
    const batch = rule.held.reverse();
    rule.held = [];
    for (const e of batch) deliver(e);
  };

  const matches = (rule: ActiveRule, event: WorldEvent) =>
    (rule.agentId === undefined || rule.agentId === event.agentId) &&
    (rule.topic === undefined || event.topicName.toLowerCase().includes(rule.topic));

  return {
    add(id, rule) {
      rules.set(id, { ...rule, held: [], timer: undefined });
    },
    remove(id) {
      const rule = rules.get(id);
      if (!rule) return;
      rules.delete(id);
      release(rule);
    },
    process(event) {
      if (rules.size === 0) {
        deliver(event);
        return;
      }
      for (const rule of rules.values()) {
        if (!matches(rule, event)) continue;
        if (rule.probability < 1 && opts.random() >= rule.probability) continue;
        switch (rule.mode) {
          case 'drop':
            stats.dropped.fault++;
            return;
          case 'duplicate':
            stats.duplicated++;
            deliver(event);
            deliver(event);
            return;
          case 'delay': {
            stats.delayed++;
            const t = setTimeout(() => {
              timers.delete(t);
              deliver(event);
            }, rule.delayMs);
            timers.add(t);
            return;
          }
          case 'reorder':
            stats.reordered++;
            rule.held.push(event);
            rule.timer ??= setTimeout(() => release(rule), rule.delayMs);
            return;
        }
      }
      deliver(event);
    },
    activeCount() {
      return rules.size;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const r of rules.values()) if (r.timer) clearTimeout(r.timer);
      rules.clear();
    },
  };
}
