import { readFile } from 'node:fs/promises';
import { connectRedis, createCommandQueue, createKeys, createReads, type Reads } from '@lockstep/store';
import { type ParseArgsConfig, parseArgs as parseArgv } from 'node:util';
import { type DeclareCommand, parseDeclare, parseDeclareBulk } from './cli-declare.js';
import { type CliConfig, loadCliConfig } from './config.js';
import { parseDeclarationCsv, sendBulkDeclaration } from './declarations.js';
import { ConfigError, UsageError } from './errors.js';

export const USAGE = `usage:
  lockstep agent <userId>            the agent's merged signals, machine state and open findings (JSON)
  lockstep findings [--rule <id>]    open findings, newest first (JSON)
  lockstep declare <userId> [--presence <p>] [--routing <s>] --by <system> [--ttl-ms <ms>]
                                     declares a state that should stick (e.g. --presence ON_QUEUE --by external-wfm);
                                     the engine raises state-not-sticking when it is reverted within the window
  lockstep declare <userId> --presence <p> --by|--source <who> [--valid-from <t>] [--valid-until <t> | --ttl-ms <ms>]
                   [--reason <text>] [--definition-id <id>] [--overrides-schedule]
                                     declares a desired state: applied from --valid-from (default now) when safe,
                                     kept until --valid-until; times are ISO-8601 with an offset, epoch ms or "now"
  lockstep declare-bulk --file <agents.csv|bulk.json> [the declare flags as defaults]
                                     one desired state per agent (at most 1,000); a CSV has a header row with
                                     agentId and any of presence, validFrom, validUntil, ttlMs, reason, ...

environment: REDIS_URL (required), LOCKSTEP_KEY_PREFIX (default lockstep:)`;

/** Where the CLI writes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

type Command =
  { name: 'agent'; agentId: string } | { name: 'findings'; ruleId?: string; limit: number } | DeclareCommand;

/** `node:util.parseArgs` in strict mode; its errors (unknown option, missing value) become `UsageError`s. */
function parseStrict<O extends ParseArgsConfig['options']>(args: readonly string[], options: O) {
  try {
    return parseArgv({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    if (err instanceof TypeError) throw new UsageError(err.message);
    throw err;
  }
}

/** Parses the arguments (`now`: the declaration time). Pure. Throws `UsageError`. */
export function parseArgs(args: readonly string[], now = Date.now()): Command {
  const [name, ...rest] = args;
  if (name === 'agent') {
    const { positionals } = parseStrict(rest, {});
    const [agentId, ...extra] = positionals;
    if (agentId === undefined || extra.length > 0) throw new UsageError('agent takes exactly one <userId>');
    return { name, agentId };
  }
  if (name === 'declare') return parseDeclare(rest, now);
  if (name === 'declare-bulk') return parseDeclareBulk(rest, now);
  if (name === 'findings') {
    const { values, positionals } = parseStrict(rest, {
      rule: { type: 'string' },
      limit: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const limit = values.limit === undefined ? 100 : /^\d+$/.test(values.limit) ? Number(values.limit) : NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new UsageError('--limit must be an integer in 1..1000');
    }
    return values.rule === undefined ? { name, limit } : { name, ruleId: values.rule, limit };
  }
  throw new UsageError(
    name === undefined ? 'a command is required' : `unknown command ${JSON.stringify(name)}`,
  );
}

const iso = (ms: unknown) =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;

/** The declared desired state and its outcome, with ISO times beside the epoch ones. */
function desiredView(desired: unknown): Record<string, unknown> | null {
  if (typeof desired !== 'object' || desired === null) return null;
  const d = desired as Record<string, unknown>;
  const outcome = (d.outcome ?? {}) as Record<string, unknown>;
  return {
    id: d.id,
    presence: d.presence,
    definitionId: d.definitionId,
    validFrom: iso(d.validFrom),
    validUntil: iso(d.validUntil),
    reason: d.reason,
    source: d.source,
    overridesSchedule: d.overridesSchedule,
    outcome: { ...outcome, sinceIso: iso(outcome.since) },
    attempts: d.attempts,
    reverts: d.reverts,
    revertedBy: d.revertedBy,
  };
}

/** The items of a bulk file: a CSV (header row) or JSON (an array of items, or a whole bulk object). */
async function readBulk(file: string, defaults: Record<string, unknown>): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8');
  if (file.toLowerCase().endsWith('.csv')) return { ...defaults, declarations: parseDeclarationCsv(text) };
  const parsed = JSON.parse(text) as unknown;
  if (Array.isArray(parsed)) return { ...defaults, declarations: parsed };
  return { ...defaults, ...(parsed as Record<string, unknown>) };
}

async function agentView(reads: Reads, agentId: string): Promise<Record<string, unknown> | null> {
  const record = await reads.readAgent(agentId);
  if (record === null) return null;
  const machine = record.machine as { value?: unknown; context?: Record<string, unknown> } | null;
  const context = machine?.context ?? {};
  const signals: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(
    (record.signals ?? {}) as Record<string, { at?: unknown } | undefined>,
  )) {
    if (s !== undefined) signals[name] = { ...s, atIso: iso(s.at) };
  }
  return {
    agentId,
    version: record.version,
    updatedAt: iso(record.updatedAt),
    state: record.state,
    machine: {
      value: machine?.value ?? null,
      status: context.status ?? null,
      health: context.health ?? null,
      wfm: context.wfm ?? null,
      clock: iso(context.clock),
      deadline: iso(context.deadline),
    },
    signals,
    desiredState: desiredView(context.desired),
    findings: record.findings.map((f) => ({ ...f, ruleId: f.ruleId, openedAtIso: iso(f.openedAt) })),
    pendingOutbox: record.pendingOutbox,
  };
}

/**
 * Runs one CLI command against Redis (read-only). Returns the exit code: 0 ok, 1 unknown agent or failure,
 * 2 bad usage or configuration.
 */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<number> {
  let command: Command;
  let config: CliConfig;
  try {
    command = parseArgs(args);
    config = loadCliConfig(env);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const redis = connectRedis(config.redisUrls, { connectionName: 'lockstep-cli', maxRetriesPerRequest: 1 });
  try {
    const keys = createKeys(config.keyPrefix);
    const reads = createReads({ redis, keys });
    if (command.name === 'declare') {
      const streamId = await createCommandQueue({ redis, keys }).send({
        agentId: command.agentId,
        type: 'declare',
        body: command.body,
      });
      io.stdout(
        `${JSON.stringify({ sent: 'declare', streamId, agentId: command.agentId, ...command.body })}\n`,
      );
      return 0;
    }
    if (command.name === 'declare-bulk') {
      const bulk = await readBulk(command.file, command.defaults);
      const results = await sendBulkDeclaration(createCommandQueue({ redis, keys }), bulk, Date.now());
      const refused = results.filter((r) => r.status === 'refused').length;
      io.stdout(`${JSON.stringify({ sent: results.length - refused, refused, results }, null, 2)}\n`);
      return refused === 0 ? 0 : 1;
    }
    if (command.name === 'agent') {
      const view = await agentView(reads, command.agentId);
      if (view === null) {
        io.stderr(
          `unknown agent ${JSON.stringify(command.agentId)}: nothing stored under ${config.keyPrefix}\n`,
        );
        return 1;
      }
      io.stdout(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    const open = await reads.listOpenFindings({
      limit: command.limit,
      ...(command.ruleId === undefined ? {} : { ruleId: command.ruleId }),
    });
    io.stdout(`${JSON.stringify(open, null, 2)}\n`);
    return 0;
  } catch (err) {
    io.stderr(`failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
