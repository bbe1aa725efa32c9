import type { OutboxMessage } from './types.js';

/**
 * Decodes the entries of one outbox stream reply (`[[streamId, [field, value, ...]], ...]`). Entries deleted
 * by trimming (nil in XAUTOCLAIM replies) are skipped. An entry that cannot be decoded is still returned,
 * flagged `malformed`, so a consumer can ack it instead of seeing it again forever.
 */
export function parseStreamEntries(shard: number, entries: unknown): OutboxMessage[] {
  if (!Array.isArray(entries)) return [];
  const out: OutboxMessage[] = [];
  for (const entry of entries as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 2) continue;
    const [streamId, fields] = entry as [unknown, unknown];
    const map = new Map<string, string>();
    if (Array.isArray(fields)) {
      for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
    }
    const body = map.get('body') ?? '';
    const version = Number(map.get('v'));
    const at = Number(map.get('at'));
    const base = {
      shard,
      streamId: String(streamId),
      id: map.get('id') ?? '',
      agentId: map.get('agent') ?? '',
    };
    let problem: string | undefined;
    let effect: unknown = body;
    if (base.id === '' || base.agentId === '' || !Number.isFinite(version) || !Number.isFinite(at)) {
      problem = 'missing id, agent, v or at field';
    } else {
      try {
        effect = JSON.parse(body) as unknown;
      } catch {
        problem = 'body is not JSON';
      }
    }
    out.push(
      problem ? { ...base, version, at, effect, malformed: problem } : { ...base, version, at, effect },
    );
  }
  return out;
}
