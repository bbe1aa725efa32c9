import { apiError } from '../http/errors.js';
import type { Query } from '../http/params.js';
import type { RequestLogFilter } from '../http/request-log.js';

const KNOWN = new Set(['since', 'method', 'path', 'agentId', 'clientId', 'status', 'midInteraction']);

/**
 * Reads the filter of `GET /__sim/requests`: `since` (ISO instant or epoch ms, wire time), `method`, `path`
 * (substring), `agentId`, `clientId`, `status`, `midInteraction` (`true`/`false`). 400 listing every bad parameter.
 */
export function requestFilter(q: Query): RequestLogFilter {
  const problems: string[] = [];
  const one = (name: string): string | undefined => {
    const v = q[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  for (const k of Object.keys(q)) if (!KNOWN.has(k)) problems.push(`unknown parameter ${k}`);
  const filter: { -readonly [K in keyof RequestLogFilter]: RequestLogFilter[K] } = {};
  const since = one('since');
  if (since !== undefined) {
    const ms = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (Number.isFinite(ms)) filter.sinceMs = ms;
    else problems.push(`since: expected an ISO instant or epoch milliseconds, got ${since}`);
  }
  const status = one('status');
  if (status !== undefined) {
    if (/^\d{3}$/.test(status)) filter.status = Number(status);
    else problems.push(`status: expected a 3-digit HTTP status, got ${status}`);
  }
  const mid = one('midInteraction');
  if (mid !== undefined) {
    if (mid === 'true' || mid === 'false') filter.midInteraction = mid === 'true';
    else problems.push(`midInteraction: expected true or false, got ${mid}`);
  }
  for (const k of ['method', 'path', 'agentId', 'clientId'] as const) {
    const v = one(k);
    if (v !== undefined) filter[k] = v;
  }
  if (problems.length > 0) {
    throw apiError(400, 'invalid.value', 'Invalid query: {problems}', { problems: problems.join('; ') });
  }
  return filter;
}
