import { type ParseArgsConfig, parseArgs as parseArgv } from 'node:util';
import { EventError, parseAgentEvent, tryNormalizeSystemPresence } from '@lockstep/domain';
import { instant } from './declarations.js';
import { UsageError } from './errors.js';

/** A parsed `declare` or `declare-bulk` command. */
export type DeclareCommand =
  | { name: 'declare'; agentId: string; body: Record<string, unknown> }
  | { name: 'declare-bulk'; file: string; defaults: Record<string, unknown> };

/** `node:util.parseArgs` in strict mode; its errors (unknown option, missing value) become `UsageError`s. */
function parseStrict<O extends ParseArgsConfig['options']>(args: readonly string[], options: O) {
  try {
    return parseArgv({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    if (err instanceof TypeError) throw new UsageError(err.message);
    throw err;
  }
}

const DESIRED_OPTIONS = {
  presence: { type: 'string' },
  by: { type: 'string' },
  source: { type: 'string' },
  'ttl-ms': { type: 'string' },
  'valid-from': { type: 'string' },
  'valid-until': { type: 'string' },
  reason: { type: 'string' },
  'definition-id': { type: 'string' },
  'overrides-schedule': { type: 'boolean' },
} as const;

type DesiredValues = { [K in keyof typeof DESIRED_OPTIONS]?: string | boolean };

function time(flag: string, text: string, now: number): number {
  if (text === 'now') return now;
  const ms = instant(text);
  if (typeof ms !== 'number')
    throw new UsageError(
      `--${flag} ${JSON.stringify(text)} is not an ISO-8601 instant with an offset, epoch ms or "now"`,
    );
  return ms;
}

/** The declaration fields given by flags (only those given). `--source` is another name for `--by`. */
function desiredFields(values: DesiredValues, now: number): Record<string, unknown> {
  const str = (k: keyof DesiredValues) => (typeof values[k] === 'string' ? values[k] : undefined);
  const out: Record<string, unknown> = {};
  const presenceText = str('presence');
  if (presenceText !== undefined) {
    const presence = tryNormalizeSystemPresence(presenceText);
    if (presence === undefined)
      throw new UsageError(`--presence ${JSON.stringify(presenceText)} is not a system presence`);
    out.presence = presence;
  }
  const by = str('by');
  const source = str('source');
  if (by !== undefined && source !== undefined && by !== source)
    throw new UsageError('give --by or --source, not both');
  if ((by ?? source) !== undefined) out.by = by ?? source;
  const ttl = str('ttl-ms');
  if (ttl !== undefined) out.ttlMs = Number(ttl);
  const from = str('valid-from');
  if (from !== undefined) out.validFrom = time('valid-from', from, now);
  const until = str('valid-until');
  if (until !== undefined) out.validUntil = time('valid-until', until, now);
  const reason = str('reason');
  if (reason !== undefined) out.reason = reason;
  const definitionId = str('definition-id');
  if (definitionId !== undefined) out.definitionId = definitionId;
  if (values['overrides-schedule'] === true) out.overridesSchedule = true;
  return out;
}

/**
 * Parses `declare <userId> ...` into a DECLARE body validated by the domain. With any of `--valid-from`,
 * `--valid-until`, `--reason`, `--definition-id`, `--overrides-schedule` it is a desired state (`--valid-from`
 * defaults to now); otherwise the plain "should stick" declaration (`--ttl-ms` defaults to 120,000).
 */
export function parseDeclare(rest: readonly string[], now: number): DeclareCommand {
  const { values, positionals } = parseStrict(rest, { ...DESIRED_OPTIONS, routing: { type: 'string' } });
  const [agentId, ...extra] = positionals;
  if (agentId === undefined) throw new UsageError('declare takes a <userId> first');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const fields = desiredFields(values, now);
  const desired = ['validFrom', 'validUntil', 'reason', 'definitionId', 'overridesSchedule'].some(
    (k) => k in fields,
  );
  const body: Record<string, unknown> = { ...fields, at: now };
  if (desired) body.validFrom ??= now;
  else body.ttlMs ??= 120_000;
  if (values.routing !== undefined) body.routing = values.routing.toUpperCase();
  try {
    parseAgentEvent({ ...body, type: 'DECLARE' });
  } catch (err) {
    if (err instanceof EventError) throw new UsageError(`declare: ${err.message}`);
    throw err;
  }
  return { name: 'declare', agentId, body };
}

/** Parses `declare-bulk --file <csv|json> [--presence ... --by ...]`: the flags are the bulk's defaults. */
export function parseDeclareBulk(rest: readonly string[], now: number): DeclareCommand {
  const { values, positionals } = parseStrict(rest, { ...DESIRED_OPTIONS, file: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.file === undefined) throw new UsageError('declare-bulk takes --file <path> (.csv or .json)');
  return { name: 'declare-bulk', file: values.file, defaults: desiredFields(values, now) };
}
