import type { ApiClient } from './cli-api-client.js';
import { renderTable } from './cli-table.js';
import { UsageError } from './errors.js';

/** The options `incidents` reads. */
export interface IncidentsOptions {
  readonly status?: string | undefined;
  readonly limit?: string | undefined;
  readonly cursor?: string | undefined;
}

/** What a CLI command prints: `json` with `--json`, else `table`. */
export interface IncidentsOut {
  readonly json: unknown;
  readonly table: string;
}

interface Member {
  agentId: string;
  findingId: string;
  openedAt: string | null;
  resolvedAt: string | null;
}
interface Incident {
  id: string;
  ruleId: string;
  status: string;
  openedAt: string | null;
  updatedAt: string | null;
  resolvedAt: string | null;
  summary: string;
  agents: number;
  failing: number;
  members: Member[];
  commonCause: { text: string }[];
}

const STATUSES = ['open', 'resolved', 'all'];

/**
 * `incidents list [--status open|resolved|all] [--limit N] [--cursor C]` and `incidents show <incidentId>` over
 * `GET /v1/incidents[/{id}]`: a table (list) or a report with the common cause and the agents (show).
 */
export async function incidentsCommand(
  api: ApiClient,
  sub: string | undefined,
  rest: readonly string[],
  v: IncidentsOptions,
): Promise<IncidentsOut> {
  if (sub === 'list') {
    if (rest.length > 0) throw new UsageError('incidents list takes no positional argument');
    if (v.status !== undefined && !STATUSES.includes(v.status)) {
      throw new UsageError('--status takes open, resolved or all');
    }
    const qs = new URLSearchParams(
      Object.entries({ status: v.status, limit: v.limit, cursor: v.cursor }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ).toString();
    const body = await api.request<{ incidents: Incident[]; nextCursor: string | null }>(
      'GET',
      `/v1/incidents${qs === '' ? '' : `?${qs}`}`,
    );
    const table = renderTable(
      ['incident', 'rule', 'status', 'agents', 'failing', 'opened', 'summary'],
      body.incidents.map((i) => [i.id, i.ruleId, i.status, i.agents, i.failing, i.openedAt, i.summary]),
    );
    return {
      json: body,
      table: body.nextCursor ? `${table}next page: --cursor ${body.nextCursor}\n` : table,
    };
  }
  if (sub === 'show') {
    const [id, ...extra] = rest;
    if (id === undefined || extra.length > 0) throw new UsageError('expected exactly one <incidentId>');
    const i = await api.request<Incident>('GET', `/v1/incidents/${encodeURIComponent(id)}`);
    const head = [
      `incident ${i.id}: ${i.status}`,
      i.summary,
      `rule ${i.ruleId}; opened ${i.openedAt ?? '-'}; last change ${i.updatedAt ?? '-'}; resolved ${i.resolvedAt ?? '-'}`,
      `${i.agents} agents, ${i.failing} still failing`,
      'common cause:',
      ...(i.commonCause.length === 0 ? ['  (none found)'] : i.commonCause.map((c) => `  - ${c.text}`)),
      '',
    ].join('\n');
    const members = renderTable(
      ['agent', 'finding', 'opened', 'resolved'],
      i.members.map((m) => [m.agentId, m.findingId, m.openedAt, m.resolvedAt ?? '-']),
    );
    return { json: i, table: `${head}\n${members}` };
  }
  throw new UsageError('incidents takes list or show');
}
