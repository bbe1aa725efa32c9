import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ApiProblemError, type ApiClient, createApiClient } from './cli-api-client.js';
import { incidentsCommand } from './cli-incidents.js';
import { parseCsv, renderTable } from './cli-table.js';
import type { CliIo } from './cli-commands.js';
import { UsageError } from './errors.js';

export const API_USAGE = `usage (over the admin API; --json prints JSON for scripts):
  lockstep agents list [--presence P] [--routing S] [--rule R] [--open-finding] [--queue Q] [--mu M]
                       [--division D] [--sort id|time-in-state|name] [--limit N] [--cursor C]
  lockstep agents show <userId>
  lockstep agents history <userId> [--kind signal|finding|correction|declaration|tick] [--limit N]
  lockstep agents resync <userId>
  lockstep findings [--rule R] [--severity S] [--resolved] [--limit N]   (over the API when LOCKSTEP_API_URL is set)
  lockstep incidents list [--status open|resolved|all] [--limit N] [--cursor C]
  lockstep incidents show <incidentId>
  lockstep desired-state set <userId> --presence P --source S [--from ISO] [--until ISO] [--reason R]
  lockstep desired-state set --csv <file> [--source S]         columns: agentId,presence[,validFrom,validUntil,reason,source]
  lockstep desired-state clear <userId>
  lockstep keys create --name N --scope read|operate|admin [--scope ...]
  lockstep keys list
  lockstep keys revoke <keyId>
  lockstep rules list
  lockstep rules set <ruleId> [--grace-ms N] [--severity S] [--action A] [--enabled true|false]
  lockstep webhooks add --url U [--secret whsec_...] [--event-types a,b] [--min-severity S] [--description D]
  lockstep webhooks list
  lockstep webhooks show <webhookId>
  lockstep webhooks test <webhookId>
  lockstep webhooks rotate <webhookId> [--overlap-ms N]
  lockstep webhooks remove <webhookId>
  lockstep webhooks deliveries <webhookId> [--limit N]
  lockstep webhooks recover <webhookId> --since ISO
  lockstep dead-letters list [--webhook W] [--since ISO] [--limit N]
  lockstep dead-letters replay <deadLetterId>

environment: LOCKSTEP_API_URL (e.g. http://127.0.0.1:8088), LOCKSTEP_API_KEY`;

const API_COMMANDS = new Set([
  'agents',
  'desired-state',
  'incidents',
  'keys',
  'rules',
  'webhooks',
  'dead-letters',
]);

/** Whether the arguments name a command served over the admin API (`findings` too once the API is configured). */
export function isApiCommand(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const [name] = args;
  if (name === undefined) return false;
  return API_COMMANDS.has(name) || (name === 'findings' && (env.LOCKSTEP_API_URL ?? '').trim() !== '');
}

const OPTIONS = {
  json: { type: 'boolean' },
  presence: { type: 'string' },
  routing: { type: 'string' },
  rule: { type: 'string' },
  'open-finding': { type: 'boolean' },
  queue: { type: 'string' },
  mu: { type: 'string' },
  division: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  kind: { type: 'string' },
  severity: { type: 'string' },
  resolved: { type: 'boolean' },
  source: { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  reason: { type: 'string' },
  csv: { type: 'string' },
  name: { type: 'string' },
  scope: { type: 'string', multiple: true },
  'grace-ms': { type: 'string' },
  action: { type: 'string' },
  enabled: { type: 'string' },
  url: { type: 'string' },
  secret: { type: 'string' },
  'event-types': { type: 'string' },
  'min-severity': { type: 'string' },
  description: { type: 'string' },
  'overlap-ms': { type: 'string' },
  since: { type: 'string' },
  webhook: { type: 'string' },
  status: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function query(pairs: Record<string, string | undefined>): string {
  const qs = new URLSearchParams(
    Object.entries(pairs).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
  return qs === '' ? '' : `?${qs}`;
}

function one(positionals: readonly string[], what: string): string {
  const [value, ...extra] = positionals;
  if (value === undefined || extra.length > 0) throw new UsageError(`expected exactly one ${what}`);
  return value;
}

const enc = encodeURIComponent;

interface Out {
  json: unknown;
  table?: string;
}

async function agents(api: ApiClient, sub: string | undefined, rest: string[], v: Values): Promise<Out> {
  if (sub === 'list') {
    const body = await api.request<{ agents: Record<string, unknown>[]; nextCursor: string | null }>(
      'GET',
      `/v1/agents${query({
        presence: v.presence?.toUpperCase(),
        routingStatus: v.routing?.toUpperCase(),
        rule: v.rule,
        openFinding: v['open-finding'] ? 'true' : undefined,
        queue: v.queue,
        mu: v.mu,
        division: v.division,
        sort: v.sort === 'time-in-state' ? 'timeInState' : v.sort,
        limit: v.limit,
        cursor: v.cursor,
      })}`,
    );
    const table = renderTable(
      ['agent', 'name', 'presence', 'routing', 'state', 'since', 'findings'],
      body.agents.map((a) => [
        a.agentId,
        a.name,
        a.presence,
        a.routingStatus,
        a.state,
        a.stateSince,
        (a.openFindings as string[]).join(','),
      ]),
    );
    return {
      json: body,
      table: body.nextCursor ? `${table}next page: --cursor ${body.nextCursor}\n` : table,
    };
  }
  if (sub === 'show') {
    const body = await api.request<Record<string, unknown>>(
      'GET',
      `/v1/agents/${enc(one(rest, '<userId>'))}`,
    );
    return { json: body, table: `${JSON.stringify(body, null, 2)}\n` };
  }
  if (sub === 'history') {
    const id = one(rest, '<userId>');
    const body = await api.request<{ entries: Record<string, unknown>[] }>(
      'GET',
      `/v1/agents/${enc(id)}/history${query({ kind: v.kind, limit: v.limit, cursor: v.cursor })}`,
    );
    return {
      json: body,
      table: renderTable(
        ['at', 'cause', 'kinds', 'from', 'to', 'detail'],
        body.entries.map((e) => [e.at, e.cause, (e.kinds as string[]).join(','), e.from, e.to, e.detail]),
      ),
    };
  }
  if (sub === 'resync') {
    const body = await api.request<{ commandId: string }>(
      'POST',
      `/v1/agents/${enc(one(rest, '<userId>'))}/resync`,
    );
    return { json: body, table: `resync requested (command ${body.commandId})\n` };
  }
  throw new UsageError('agents takes list, show, history or resync');
}

async function desiredState(
  api: ApiClient,
  sub: string | undefined,
  rest: string[],
  v: Values,
): Promise<Out> {
  if (sub === 'set' && v.csv !== undefined) {
    if (rest.length > 0) throw new UsageError('desired-state set --csv takes no <userId>');
    const rows = parseCsv(await readFile(v.csv, 'utf8'));
    const items = rows.map((r) => ({
      agentId: r.agentId,
      presence: r.presence?.toUpperCase(),
      source: r.source || v.source,
      ...(r.validFrom ? { validFrom: r.validFrom } : {}),
      ...(r.validUntil ? { validUntil: r.validUntil } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    }));
    const results: Record<string, unknown>[] = [];
    for (let i = 0; i < items.length; i += 1_000) {
      const body = await api.request<{ results: Record<string, unknown>[] }>('POST', '/v1/desired-states', {
        items: items.slice(i, i + 1_000),
      });
      results.push(...body.results.map((r) => ({ ...r, index: Number(r.index) + i })));
    }
    return {
      json: { results },
      table: renderTable(
        ['row', 'agent', 'status', 'problems'],
        results.map((r) => [
          Number(r.index) + 2,
          r.agentId,
          r.status,
          ((r.problems as string[]) ?? []).join('; '),
        ]),
      ),
    };
  }
  if (sub === 'set') {
    const id = one(rest, '<userId>');
    if (v.presence === undefined || v.source === undefined)
      throw new UsageError('set needs --presence and --source');
    const body = await api.request<Record<string, unknown>>('PUT', `/v1/agents/${enc(id)}/desired-state`, {
      presence: v.presence.toUpperCase(),
      source: v.source,
      ...(v.from === undefined ? {} : { validFrom: v.from }),
      ...(v.until === undefined ? {} : { validUntil: v.until }),
      ...(v.reason === undefined ? {} : { reason: v.reason }),
    });
    return {
      json: body,
      table: `declared ${String(body.presence)} for ${id} until ${String(body.validUntil)}\n`,
    };
  }
  if (sub === 'clear') {
    const id = one(rest, '<userId>');
    const body = await api.request<Record<string, unknown>>('DELETE', `/v1/agents/${enc(id)}/desired-state`);
    return { json: body, table: `declared state of ${id} cleared\n` };
  }
  throw new UsageError('desired-state takes set or clear');
}

async function keys(api: ApiClient, sub: string | undefined, rest: string[], v: Values): Promise<Out> {
  if (sub === 'create') {
    if (v.name === undefined || v.scope === undefined)
      throw new UsageError('keys create needs --name and --scope');
    const body = await api.request<Record<string, unknown>>('POST', '/v1/keys', {
      name: v.name,
      scopes: v.scope,
    });
    return {
      json: body,
      table: `key ${String(body.id)} (${(body.scopes as string[]).join(',')}): ${String(body.key)}\nshown once: store it now\n`,
    };
  }
  if (sub === 'list') {
    const body = await api.request<{ keys: Record<string, unknown>[] }>('GET', '/v1/keys');
    return {
      json: body,
      table: renderTable(
        ['id', 'name', 'scopes', 'created', 'by'],
        body.keys.map((k) => [k.id, k.name, (k.scopes as string[]).join(','), k.createdAt, k.createdBy]),
      ),
    };
  }
  if (sub === 'revoke') {
    const id = one(rest, '<keyId>');
    await api.request('DELETE', `/v1/keys/${enc(id)}`);
    return { json: { revoked: id }, table: `key ${id} revoked\n` };
  }
  throw new UsageError('keys takes create, list or revoke');
}

async function rules(api: ApiClient, sub: string | undefined, rest: string[], v: Values): Promise<Out> {
  if (sub === 'list') {
    const body = await api.request<{ rules: Record<string, unknown>[] }>('GET', '/v1/rules');
    return {
      json: body,
      table: renderTable(
        ['rule', 'enabled', 'grace ms', 'severity', 'action', 'overridden'],
        body.rules.map((r) => [r.id, r.enabled, r.graceMs, r.severity, r.action, r.overridden]),
      ),
    };
  }
  if (sub === 'set') {
    const id = one(rest, '<ruleId>');
    if (v.enabled !== undefined && v.enabled !== 'true' && v.enabled !== 'false') {
      throw new UsageError('--enabled takes true or false');
    }
    const grace = v['grace-ms'] === undefined ? undefined : Number(v['grace-ms']);
    if (grace !== undefined && !Number.isInteger(grace)) throw new UsageError('--grace-ms takes an integer');
    const body = await api.request<Record<string, unknown>>('PUT', `/v1/rules/${enc(id)}`, {
      ...(grace === undefined ? {} : { graceMs: grace }),
      ...(v.severity === undefined ? {} : { severity: v.severity }),
      ...(v.action === undefined ? {} : { action: v.action }),
      ...(v.enabled === undefined ? {} : { enabled: v.enabled === 'true' }),
    });
    return {
      json: body,
      table: renderTable(
        ['rule', 'enabled', 'grace ms', 'severity', 'action'],
        [[body.id, body.enabled, body.graceMs, body.severity, body.action]],
      ),
    };
  }
  throw new UsageError('rules takes list or set');
}

type Webhook = Record<string, unknown> & {
  id: string;
  backlog: { queued: number; deadLetters: number };
};

function webhookRow(w: Webhook): unknown[] {
  return [
    w.id,
    w.enabled,
    w.url,
    (w.eventTypes as string[]).join(',') || '*',
    w.minSeverity ?? '*',
    w.backlog.queued,
    w.backlog.deadLetters,
    w.description,
  ];
}
const WEBHOOK_HEADERS = ['id', 'enabled', 'url', 'events', 'min severity', 'queued', 'dead', 'description'];

async function webhooks(api: ApiClient, sub: string | undefined, rest: string[], v: Values): Promise<Out> {
  if (sub === 'add') {
    if (rest.length > 0) throw new UsageError('webhooks add takes no positional argument');
    if (v.url === undefined) throw new UsageError('webhooks add needs --url');
    const eventTypes = v['event-types']
      ?.split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const body = await api.request<Webhook & { secret: string }>('POST', '/v1/webhooks', {
      url: v.url,
      ...(v.secret === undefined ? {} : { secret: v.secret }),
      ...(eventTypes === undefined ? {} : { eventTypes }),
      ...(v['min-severity'] === undefined ? {} : { minSeverity: v['min-severity'] }),
      ...(v.description === undefined ? {} : { description: v.description }),
    });
    // A secret the operator gave is not printed back; a generated one is shown here only.
    const secretLine =
      v.secret === undefined
        ? `secret: ${body.secret}\nshown once: store it now\n`
        : 'secret: the one given with --secret\n';
    return { json: body, table: `webhook ${body.id} -> ${String(body.url)}\n${secretLine}` };
  }
  if (sub === 'list') {
    const body = await api.request<{ webhooks: Webhook[] }>('GET', '/v1/webhooks');
    return { json: body, table: renderTable(WEBHOOK_HEADERS, body.webhooks.map(webhookRow)) };
  }
  if (sub === 'show') {
    const body = await api.request<Webhook>('GET', `/v1/webhooks/${enc(one(rest, '<webhookId>'))}`);
    return { json: body, table: `${JSON.stringify(body, null, 2)}\n` };
  }
  if (sub === 'test') {
    const id = one(rest, '<webhookId>');
    const body = await api.request<{ alertId: string }>('POST', `/v1/webhooks/${enc(id)}/test`);
    return { json: body, table: `webhook.test queued for ${id} (webhook-id ${body.alertId})\n` };
  }
  if (sub === 'rotate') {
    const id = one(rest, '<webhookId>');
    const overlap = v['overlap-ms'] === undefined ? undefined : Number(v['overlap-ms']);
    if (overlap !== undefined && !Number.isInteger(overlap))
      throw new UsageError('--overlap-ms takes an integer');
    const body = await api.request<{ secret: string; previousSecretExpiresAt: string | null }>(
      'POST',
      `/v1/webhooks/${enc(id)}/rotate-secret`,
      overlap === undefined ? undefined : { overlapMs: overlap },
    );
    const until =
      body.previousSecretExpiresAt === null
        ? 'the previous secret no longer signs'
        : `the previous secret also signs until ${body.previousSecretExpiresAt}`;
    return { json: body, table: `new secret: ${body.secret}\nshown once: store it now; ${until}\n` };
  }
  if (sub === 'remove') {
    const id = one(rest, '<webhookId>');
    await api.request('DELETE', `/v1/webhooks/${enc(id)}`);
    return { json: { removed: id }, table: `webhook ${id} removed\n` };
  }
  if (sub === 'deliveries') {
    const id = one(rest, '<webhookId>');
    const body = await api.request<{ deliveries: Record<string, unknown>[] }>(
      'GET',
      `/v1/webhooks/${enc(id)}/deliveries${query({ limit: v.limit })}`,
    );
    return {
      json: body,
      table: renderTable(
        ['at', 'webhook-id', 'type', 'attempt', 'status', 'outcome', 'ms', 'error'],
        body.deliveries.map((d) => [
          d.at,
          d.alertId,
          d.type,
          d.attempt,
          d.status,
          d.outcome,
          d.latencyMs,
          d.error ?? '',
        ]),
      ),
    };
  }
  if (sub === 'recover') {
    const id = one(rest, '<webhookId>');
    if (v.since === undefined) throw new UsageError('webhooks recover needs --since');
    const body = await api.request<{ replayed: number }>('POST', `/v1/webhooks/${enc(id)}/recover`, {
      since: v.since,
    });
    return { json: body, table: `${body.replayed} dead letters of ${id} replayed\n` };
  }
  throw new UsageError('webhooks takes add, list, show, test, rotate, remove, deliveries or recover');
}

async function deadLetters(api: ApiClient, sub: string | undefined, rest: string[], v: Values): Promise<Out> {
  if (sub === 'list') {
    if (rest.length > 0) throw new UsageError('dead-letters list takes no positional argument');
    const body = await api.request<{ deadLetters: Record<string, unknown>[] }>(
      'GET',
      `/v1/dead-letters${query({ subscriptionId: v.webhook, since: v.since, limit: v.limit })}`,
    );
    return {
      json: body,
      table: renderTable(
        ['id', 'type', 'agent', 'died', 'attempts', 'last status'],
        body.deadLetters.map((d) => [d.id, d.type, d.agentId, d.diedAt, d.attempts, d.lastStatus]),
      ),
    };
  }
  if (sub === 'replay') {
    const id = one(rest, '<deadLetterId>');
    await api.request('POST', `/v1/dead-letters/${enc(id)}/replay`);
    return { json: { replayed: id }, table: `dead letter ${id} replayed\n` };
  }
  throw new UsageError('dead-letters takes list or replay');
}

async function findings(api: ApiClient, rest: string[], v: Values): Promise<Out> {
  if (rest.length > 0) throw new UsageError('findings takes no positional argument');
  const body = await api.request<{ findings: Record<string, unknown>[] }>(
    'GET',
    `/v1/findings${query({
      rule: v.rule,
      severity: v.severity,
      status: v.resolved ? 'resolved' : undefined,
      limit: v.limit,
      cursor: v.cursor,
    })}`,
  );
  return {
    json: body,
    table: v.resolved
      ? renderTable(
          ['agent', 'rule', 'opened', 'resolved'],
          body.findings.map((f) => [f.agentId, f.ruleId, f.openedAt, f.resolvedAt]),
        )
      : renderTable(
          ['agent', 'rule', 'severity', 'opened', 'summary'],
          body.findings.map((f) => [f.agentId, f.ruleId, f.severity, f.openedAt, f.summary]),
        ),
  };
}

/**
 * Runs one CLI command over the admin API. Returns the exit code: 0 ok, 1 refused by the API or failed,
 * 2 bad usage or configuration. Never prints the API key.
 */
export async function runApiCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n${API_USAGE}\n`);
    return 2;
  }
  const url = env.LOCKSTEP_API_URL?.trim() ?? '';
  const key = env.LOCKSTEP_API_KEY?.trim() ?? '';
  const problems = [
    ...(url === '' ? ['LOCKSTEP_API_URL: is required'] : []),
    ...(url !== '' && !/^https?:\/\/[^\s]+$/.test(url) ? ['LOCKSTEP_API_URL: must be an http(s) URL'] : []),
    ...(key === '' ? ['LOCKSTEP_API_KEY: is required'] : []),
  ];
  if (problems.length > 0) {
    io.stderr(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const api = createApiClient(url, key, fetchImpl);
  const [command, sub, ...rest] = positionals;
  try {
    let out: Out;
    if (command === 'agents') out = await agents(api, sub, rest, values);
    else if (command === 'desired-state') out = await desiredState(api, sub, rest, values);
    else if (command === 'keys') out = await keys(api, sub, rest, values);
    else if (command === 'rules') out = await rules(api, sub, rest, values);
    else if (command === 'webhooks') out = await webhooks(api, sub, rest, values);
    else if (command === 'dead-letters') out = await deadLetters(api, sub, rest, values);
    else if (command === 'incidents') out = await incidentsCommand(api, sub, rest, values);
    else if (command === 'findings')
      out = await findings(api, sub === undefined ? rest : [sub, ...rest], values);
    else throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
    io.stdout(
      values.json ? `${JSON.stringify(out.json, null, 2)}\n` : (out.table ?? `${JSON.stringify(out.json)}\n`),
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n${API_USAGE}\n`);
      return 2;
    }
    if (err instanceof ApiProblemError) {
      io.stderr(
        `${err.status} ${err.code}: ${err.message}\n${err.problems.map((p) => `  - ${p}\n`).join('')}`,
      );
      return 1;
    }
    io.stderr(`failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
