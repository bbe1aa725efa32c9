import { parseBulkDeclaration, type Problem } from '@lockstep/domain';
import type { CommandQueue } from '@lockstep/store';

/** What became of one agent of a bulk declaration at sending time (its outcome then shows on the agent). */
export type BulkItemResult =
  | { readonly index: number; readonly agentId: string; readonly status: 'sent'; readonly streamId: string }
  | {
      readonly index: number;
      readonly agentId: string | null;
      readonly status: 'refused';
      readonly problems: readonly Problem[];
    };

/**
 * Sends a bulk declaration (up to 1,000 agents, see `parseBulkDeclaration`) through the command stream: one
 * `declare` command per valid item, so each engine shard takes its own agents. Returns one result per item, in
 * item order: `sent` (with the command's stream id) or `refused` (with every problem); a bad item refuses only
 * itself. Throws `EventError` when the bulk itself is unusable, and the queue's error when Redis fails (items
 * sent before the failure stay sent: a declaration is idempotent, so sending the bulk again is safe).
 */
export async function sendBulkDeclaration(
  queue: CommandQueue,
  input: unknown,
  now: number,
): Promise<BulkItemResult[]> {
  const { accepted, refused } = parseBulkDeclaration(input, now);
  const sent = await Promise.all(
    accepted.map(async (item): Promise<BulkItemResult> => {
      const streamId = await queue.send({ agentId: item.agentId, type: 'declare', body: item.body });
      return { index: item.index, agentId: item.agentId, status: 'sent', streamId };
    }),
  );
  const failed = refused.map((r): BulkItemResult => ({
    index: r.index,
    agentId: r.agentId,
    status: 'refused',
    problems: r.problems,
  }));
  return [...sent, ...failed].sort((a, b) => a.index - b.index);
}

/**
 * Parses a CSV bulk file: a header row naming the columns (`agentId` required; `presence`, `validFrom`,
 * `validUntil`, `ttlMs`, `reason`, `definitionId`, `declarationId`, `overridesSchedule` optional), one agent per
 * row. Times are ISO-8601 instants or epoch ms. Fields may be double-quoted (`""` for a quote). Pure. Returns
 * the items for `parseBulkDeclaration`; empty cells are left out (the bulk's defaults apply).
 */
export function parseDeclarationCsv(text: string): Record<string, unknown>[] {
  const rows = csvRows(text).filter((r) => r.some((c) => c.trim() !== ''));
  const [header, ...body] = rows;
  if (header === undefined) return [];
  const names = header.map((h) => h.trim());
  return body.map((cells) => {
    const item: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const cell = (cells[i] ?? '').trim();
      if (cell === '' || name === '') return;
      item[name] = typedCell(name, cell);
    });
    return item;
  });
}

function typedCell(name: string, cell: string): unknown {
  if (name === 'validFrom' || name === 'validUntil') return instant(cell);
  if (name === 'ttlMs') return /^\d+$/.test(cell) ? Number(cell) : cell;
  if (name === 'overridesSchedule') return cell === 'true' ? true : cell === 'false' ? false : cell;
  return cell;
}

/** An ISO-8601 instant (with its offset) or epoch ms, as epoch ms; anything else as given (refused later). */
export function instant(text: string): number | string {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(text)) return text;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : text;
}

function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
