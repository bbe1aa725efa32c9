import { CorruptDataError, InvalidInputError } from './errors.js';
import { validateId } from './keys.js';
import type { FindingDoc } from './types.js';

/** Serialises `value` as JSON or throws `InvalidInputError` (cycles, BigInt, `undefined`). */
export function encodeJson(what: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidInputError(`${what} is not JSON-serialisable`, { cause });
  }
  if (text === undefined) throw new InvalidInputError(`${what} is not JSON-serialisable`);
  return text;
}

/** Parses stored JSON or throws `CorruptDataError` naming what was being read. */
export function decodeJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CorruptDataError(what, { cause });
  }
}

/** Throws `InvalidInputError` unless `value` is a non-negative safe integer. */
export function requireCount(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** Throws `InvalidInputError` unless `value` is a positive safe integer. */
export function requirePositive(what: string, value: unknown): number {
  if (requireCount(what, value) === 0) throw new InvalidInputError(`${what} must be positive`);
  return value as number;
}

/** Validates the indexed fields of every finding and rejects duplicate ids. */
export function validateFindings(agentId: string, findings: unknown): readonly FindingDoc[] {
  if (!Array.isArray(findings)) throw new InvalidInputError(`agent ${agentId}: findings must be an array`);
  const seen = new Set<string>();
  for (const f of findings as unknown[]) {
    if (typeof f !== 'object' || f === null) {
      throw new InvalidInputError(`agent ${agentId}: every finding must be an object`);
    }
    const doc = f as Record<string, unknown>;
    const id = validateId('finding id', doc.id);
    validateId('rule id', doc.ruleId);
    if (typeof doc.severity !== 'string' || doc.severity.length === 0) {
      throw new InvalidInputError(`finding ${id}: severity must be a non-empty string`);
    }
    if (typeof doc.openedAt !== 'number' || !Number.isFinite(doc.openedAt)) {
      throw new InvalidInputError(`finding ${id}: openedAt must be a finite number (epoch ms)`);
    }
    if (seen.has(id)) throw new InvalidInputError(`agent ${agentId}: duplicate finding id ${id}`);
    seen.add(id);
  }
  return findings as readonly FindingDoc[];
}

/** One open-findings index line, as kept in the agent hash field `fidx`. */
export interface IndexLine {
  readonly ruleId: string;
  readonly findingId: string;
  readonly openedAt: number;
}

/** `<ruleId>\t<findingId>\t<openedAt>` lines joined by `\n` (ids cannot contain tabs or newlines). */
export function encodeIndexLines(findings: readonly FindingDoc[]): string {
  return findings.map((f) => `${f.ruleId}\t${f.id}\t${f.openedAt}`).join('\n');
}

export function decodeIndexLines(text: string): IndexLine[] {
  if (text === '') return [];
  return text.split('\n').map((line) => {
    const [ruleId, findingId, openedAt] = line.split('\t');
    if (ruleId === undefined || findingId === undefined || openedAt === undefined) {
      throw new CorruptDataError(`open-findings index line ${JSON.stringify(line)}`);
    }
    return { ruleId, findingId, openedAt: Number(openedAt) };
  });
}

/** One queued outbox entry, as kept in the agent hash field `pending`. */
export interface PendingLine {
  readonly id: string;
  readonly version: number;
  readonly at: number;
  /** The effect as JSON text. */
  readonly body: string;
}

/** `<id>\t<version>\t<at>\t<json>` (JSON text never holds a raw tab or newline). */
export function encodePendingLine(line: PendingLine): string {
  return `${line.id}\t${line.version}\t${line.at}\t${line.body}`;
}

export function decodePendingLines(agentId: string, text: string): PendingLine[] {
  if (text === '') return [];
  return text.split('\n').map((line) => {
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    const c = line.indexOf('\t', b + 1);
    if (a < 0 || b < 0 || c < 0) throw new CorruptDataError(`agent ${agentId}: pending outbox line`);
    return {
      id: line.slice(0, a),
      version: Number(line.slice(a + 1, b)),
      at: Number(line.slice(b + 1, c)),
      body: line.slice(c + 1),
    };
  });
}
