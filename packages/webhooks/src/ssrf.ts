import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { UrlRefusedError } from './errors.js';

/** What the guard allows beyond public https destinations. */
export interface SsrfPolicy {
  /** `WEBHOOK_ALLOW_HTTP=true`: plain http URLs are accepted too. */
  readonly allowHttp: boolean;
  /** `WEBHOOK_ALLOWED_CIDRS`: ranges exempted from the address checks (on-premises receivers, tests). */
  readonly allowedCidrs: readonly string[];
  /**
   * `WEBHOOK_TRUSTED_HOSTS`: lower-case host names the operator trusts (an on-premises receiver, the demo's
   * receiver). A URL whose host is exactly one of them may use plain http and may resolve to any address but
   * the cloud metadata endpoints. It exempts no other name and no IP literal. Absent: none.
   */
  readonly trustedHosts?: readonly string[];
}

/** Resolves a host name to every address (like `dns.promises.lookup(host, { all: true })`). */
export type LookupAll = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

/** An address the guard accepted, to which the connection must be pinned. */
export interface CheckedTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

// Never exempted, whatever WEBHOOK_ALLOWED_CIDRS says: cloud instance metadata services.
const METADATA_NORMALIZED = ['169.254.169.254', 'fd00:ec2::254'].map((m) =>
  ipaddr.parse(m).toNormalizedString(),
);

// ipaddr.js ranges whose last 32 bits embed an IPv4 address that decides the verdict.
const EMBEDS_V4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052']);

/** Parses `WEBHOOK_ALLOWED_CIDRS` items; returns the problems of the bad ones. Pure. */
export function parseCidrs(items: readonly string[]): { cidrs: string[]; problems: string[] } {
  const cidrs: string[] = [];
  const problems: string[] = [];
  for (const item of items) {
    try {
      ipaddr.parseCIDR(item);
      cidrs.push(item);
    } catch {
      problems.push(`${JSON.stringify(item.slice(0, 60))} is not a CIDR such as 10.1.0.0/16 or fd12::/64`);
    }
  }
  return { cidrs, problems };
}

// A DNS host name: dot-separated labels of letters, digits and inner hyphens (RFC 1123), 253 characters at most.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Parses `WEBHOOK_TRUSTED_HOSTS` items (trimmed, case-insensitive); returns the lower-cased names and the problems
 * of the bad ones. IP literals are refused: addresses are exempted by CIDR (`WEBHOOK_ALLOWED_CIDRS`). Pure.
 */
export function parseTrustedHosts(items: readonly string[]): { hosts: string[]; problems: string[] } {
  const hosts: string[] = [];
  const problems: string[] = [];
  for (const item of items) {
    const name = item.toLowerCase().replace(/\.$/, '');
    const shown = JSON.stringify(item.slice(0, 60));
    if (isIP(name) !== 0 || isIP(name.replace(/^\[|\]$/g, '')) !== 0) {
      problems.push(`${shown} is an IP address; exempt addresses with WEBHOOK_ALLOWED_CIDRS instead`);
    } else if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
      problems.push(`${shown} is not a host name such as hooks.internal or webhook-receiver`);
    } else if (/^\d+$/.test(name.split('.').at(-1) ?? '')) {
      // WHATWG URLs read a name ending in a number as an IPv4 address (`10.1` is 10.0.0.1).
      problems.push(`${shown} is not a host name: its last label is a number`);
    } else if (!hosts.includes(name)) hosts.push(name);
  }
  return { hosts, problems };
}

/** Whether the URL's host is one of the policy's trusted names (never an IP literal). */
function isTrustedHost(host: string, policy: SsrfPolicy): boolean {
  return isIP(host) === 0 && (policy.trustedHosts ?? []).includes(host.toLowerCase());
}

const parsedCidrs = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number]>();

function inCidr(addr: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  let parsed = parsedCidrs.get(cidr);
  if (parsed === undefined) {
    parsed = ipaddr.parseCIDR(cidr);
    if (parsedCidrs.size < 1_000) parsedCidrs.set(cidr, parsed);
  }
  const [range, bits] = parsed;
  if (addr.kind() === range.kind()) return addr.match(range, bits);
  return false;
}

/** The IPv4 address carried in the last 32 bits of an IPv6 address. */
function embeddedV4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const b = v6.toByteArray();
  return new ipaddr.IPv4(b.slice(12, 16));
}

/** The IPv4 address of a 6to4 address (2002:AABB:CCDD::/48). */
function sixToFourV4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const b = v6.toByteArray();
  return new ipaddr.IPv4(b.slice(2, 6));
}

/**
 * Why `address` is refused, or `null` when it may be contacted. Pure. Only global unicast passes; IPv6 forms
 * that embed an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by that address; Teredo is refused.
 * Addresses inside `allowedCidrs` pass, except the cloud metadata addresses.
 */
export function refusalReason(address: string, allowedCidrs: readonly string[]): string | null {
  if (!ipaddr.isValid(address)) return `${JSON.stringify(address)} is not an IP address`;
  const { parsed, judged, form } = judge(address);
  if (METADATA_NORMALIZED.includes(judged.toNormalizedString())) {
    return `address ${address}${form} is a cloud metadata endpoint`;
  }
  if (allowedCidrs.some((c) => inCidr(judged, c) || inCidr(parsed, c))) return null;
  const range = judged.range();
  if (range === 'unicast') return null;
  return `address ${address}${form} is in the ${range} range`;
}

/** The address to judge `address` by: itself, or the IPv4 address an IPv6 form embeds (named in `form`). */
function judge(address: string): {
  parsed: ipaddr.IPv4 | ipaddr.IPv6;
  judged: ipaddr.IPv4 | ipaddr.IPv6;
  form: string;
} {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (EMBEDS_V4.has(range)) {
      const judged = embeddedV4(v6);
      return {
        parsed,
        judged,
        form: ` (${range === 'ipv4Mapped' ? 'IPv4-mapped' : 'NAT64'} form of ${judged.toString()})`,
      };
    }
    if (range === '6to4') {
      const judged = sixToFourV4(v6);
      return { parsed, judged, form: ` (6to4 form of ${judged.toString()})` };
    }
  }
  return { parsed, judged: parsed, form: '' };
}

/** Why `address` is refused for a trusted host name: only the cloud metadata endpoints are. Pure. */
function metadataReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${JSON.stringify(address)} is not an IP address`;
  const { judged, form } = judge(address);
  return METADATA_NORMALIZED.includes(judged.toNormalizedString())
    ? `address ${address}${form} is a cloud metadata endpoint`
    : null;
}

/** The URL is refused if it is not http(s) per policy, carries credentials, or names a refused literal IP. */
function parseAndCheckUrl(raw: string, policy: SsrfPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefusedError('not a valid absolute URL');
  }
  const httpAllowed = policy.allowHttp || isTrustedHost(hostOf(url), policy);
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) {
    throw new UrlRefusedError(
      httpAllowed ? 'only http and https URLs are accepted' : 'only https URLs are accepted',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new UrlRefusedError('URLs with credentials are not accepted');
  }
  if (url.hostname === '') throw new UrlRefusedError('the URL has no host');
  const host = hostOf(url);
  if (isIP(host) !== 0) {
    const reason = refusalReason(host, policy.allowedCidrs);
    if (reason !== null) throw new UrlRefusedError(reason);
  }
  return url;
}

/** The host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks a URL at creation (no DNS): scheme, credentials, and literal IP addresses. Throws
 * `UrlRefusedError` with the reason. Returns the normalised URL text.
 */
export function validateWebhookUrl(raw: string, policy: SsrfPolicy): string {
  return parseAndCheckUrl(raw, policy).toString();
}

/**
 * Checks a URL at delivery: resolves its host with `lookup`, refuses when ANY answer is refused (a mixed
 * answer is how rebinding attacks start), and returns the first address so the caller connects to exactly
 * the address that was checked. Throws `UrlRefusedError`.
 */
export async function resolveTarget(
  raw: string,
  policy: SsrfPolicy,
  lookup: LookupAll,
): Promise<CheckedTarget> {
  const url = parseAndCheckUrl(raw, policy);
  const host = hostOf(url);
  const family = isIP(host);
  if (family !== 0) return { url, address: host, family: family === 6 ? 6 : 4 };
  let answers: readonly { address: string; family: number }[];
  try {
    answers = await lookup(host);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UrlRefusedError(`host ${host} does not resolve (${typeof code === 'string' ? code : 'error'})`);
  }
  if (answers.length === 0) throw new UrlRefusedError(`host ${host} has no address`);
  const trusted = isTrustedHost(host, policy);
  for (const answer of answers) {
    // A trusted name may resolve to any range the operator runs receivers in, never to a metadata endpoint.
    const reason = trusted
      ? metadataReason(answer.address)
      : refusalReason(answer.address, policy.allowedCidrs);
    if (reason !== null) throw new UrlRefusedError(`host ${host} resolves to a refused address: ${reason}`);
  }
  const first = answers[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
