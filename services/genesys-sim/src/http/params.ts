import type { FastifyRequest } from 'fastify';
import type { LoggedRequest } from './request-log.js';
import type { TokenGrant } from './token-store.js';
import { apiError } from './errors.js';

/** Query parameters as Fastify parses them (repeated keys become arrays). */
export type Query = Record<string, string | string[] | undefined>;

export function query(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

export function param(req: FastifyRequest, name: string): string {
  return ((req.params ?? {}) as Record<string, string>)[name] ?? '';
}

/** A list parameter: repeated keys and comma-joined values (the SDK joins arrays with `,`, reference §4.1). */
export function listParam(q: Query, name: string): string[] {
  const v = q[name];
  const parts = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return parts
    .flatMap((p) => p.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** An integer parameter within `[min, max]`; 400 `invalid.value` otherwise. */
export function intParam(q: Query, name: string, fallback: number, min: number, max: number): number {
  const v = q[name];
  if (v === undefined || v === '') return fallback;
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw apiError(
      400,
      'invalid.value',
      'Value [{value}] is not valid for field [{field}]; expected {min}..{max}.',
      {
        value: String(s),
        field: name,
        min: String(min),
        max: String(max),
      },
    );
  }
  return n;
}

export function boolParam(q: Query, name: string): boolean | undefined {
  const v = q[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (s === undefined || s === '') return undefined;
  if (s.toLowerCase() === 'true') return true;
  if (s.toLowerCase() === 'false') return false;
  throw apiError(
    400,
    'invalid.value',
    'Value [{value}] is not valid for field [{field}]; expected true or false.',
    {
      value: s,
      field: name,
    },
  );
}

/** The token grant the auth hook attached; every `/api/v2` route has one. */
export function grantOf(req: FastifyRequest): TokenGrant {
  const grant = req.grant;
  if (!grant) throw apiError(401);
  return grant;
}

/** 403 `missing.permissions` unless the caller's OAuth client holds the `wfm` permission group. */
export function requireWfm(req: FastifyRequest): void {
  if (!grantOf(req).client.permissions.includes('wfm')) {
    throw apiError(403, 'missing.permissions', 'Missing permissions: {permissions}', {
      permissions: 'wfm:agent:view, wfm:schedule:view, wfm:realtimeAdherence:view',
    });
  }
}

/** A JSON object body, or 400. */
export function objectBody(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw apiError(400, 'bad.request', 'The request body must be a JSON object.');
  }
  return b as Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
    grant: TokenGrant | undefined;
    /** The request-log entry of a state-changing `/api/v2` request. */
    logEntry: LoggedRequest | undefined;
  }
}
