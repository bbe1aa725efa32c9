/** An active HTTP fault. */
export type HttpFaultRule =
  | { readonly kind: 'rate-limit-storm'; readonly clientId?: string; readonly retryAfterSec: number }
  | { readonly kind: 'server-errors'; readonly status: 500 | 502 | 503 | 504; readonly probability: number };

export type HttpFaultVerdict =
  | { readonly kind: 'rate-limit-storm'; readonly retryAfterSec: number }
  | { readonly kind: 'server-errors'; readonly status: 500 | 502 | 503 | 504 };

export interface HttpFaults {
  add(id: string, rule: HttpFaultRule): void;
  remove(id: string): void;
  /** Whether an `/api/v2` request of `clientId` must fail now (seeded draw for `server-errors`). */
  check(clientId: string): HttpFaultVerdict | undefined;
}

/** Holds the `rate-limit-storm` and `server-errors` faults that apply to `/api/v2` routes. */
export function createHttpFaults(random: () => number): HttpFaults {
  const rules = new Map<string, HttpFaultRule>();
  return {
    add(id, rule) {
      rules.set(id, rule);
    },
    remove(id) {
      rules.delete(id);
    },
    check(clientId) {
      if (rules.size === 0) return undefined;
      for (const rule of rules.values()) {
        if (rule.kind === 'rate-limit-storm') {
          if (rule.clientId === undefined || rule.clientId === clientId) {
            return { kind: 'rate-limit-storm', retryAfterSec: rule.retryAfterSec };
          }
        } else if (random() < rule.probability) {
          return { kind: 'server-errors', status: rule.status };
        }
      }
      return undefined;
    },
  };
}
