import type { Keys, RedisClient } from '@lockstep/store';

/** One audited write. */
export interface AuditEntry {
  readonly keyId: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: unknown;
}

/** Appends every write made through the API to the audit stream, with the key id that made it. */
export interface Audit {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  recent(count: number): Promise<(AuditEntry & { id: string; at: number })[]>;
}

export function createAudit(deps: {
  redis: RedisClient;
  keys: Keys;
  maxLen?: number;
  now?: () => number;
}): Audit {
  const stream = deps.keys.audit();
  const now = deps.now ?? Date.now;
  const maxLen = deps.maxLen ?? 100_000;
  return {
    async record(entry) {
      await deps.redis.xadd(
        stream,
        'MAXLEN',
        '~',
        maxLen,
        '*',
        'key',
        entry.keyId,
        'action',
        entry.action,
        'target',
        entry.target,
        'at',
        now(),
        'detail',
        JSON.stringify(entry.detail ?? null),
      );
    },
    async recent(count) {
      const entries = await deps.redis.xrevrange(stream, '+', '-', 'COUNT', count);
      return entries.map(([id, fields]) => {
        const f = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
        return {
          id,
          keyId: f.get('key') ?? '',
          action: f.get('action') ?? '',
          target: f.get('target') ?? '',
          at: Number(f.get('at')),
          detail: JSON.parse(f.get('detail') ?? 'null') as unknown,
        };
      });
    },
  };
}
