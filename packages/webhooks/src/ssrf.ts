import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { UrlRefusedError } from './errors.js';

/** What the guard allows beyond public https destinations. */
export interface SsrfPolicy {
  /** `WEBHOOK_ALLOW_HTTP=true`: plain http URLs are accepted too. */
  readonly allowHttp: boolean;
  /** `WEBHOOK_ALLOWED_CIDRS`: ranges exempted from the address checks (on-premises receivers, tests). */
  readonly allowedCidrs: readonly string[];
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
  const parsed = ipaddr.parse(address);
  let judged: ipaddr.IPv4 | ipaddr.IPv6 = parsed;
  let form = '';
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (EMBEDS_V4.has(range)) {
      judged = embeddedV4(v6);
      form = ` (${range === 'ipv4Mapped' ? 'IPv4-mapped' : 'NAT64'} form of ${judged.toString()})`;
    } else if (range === '6to4') {
      judged = sixToFourV4(v6);
      form = ` (6to4 form of ${judged.toString()})`;
    }
  }
  const normal = judged.toNormalizedString();
  if (METADATA_NORMALIZED.includes(normal)) {
    return `address ${address}${form} is a cloud metadata endpoint`;
  }
  if (allowedCidrs.some((c) => inCidr(judged, c) || inCidr(parsed, c))) return null;
  const range = judged.range();
  if (range === 'unicast') return null;
  return `address ${address}${form} is in the ${range} range`;
}

/** The URL is refused if it is not http(s) per policy, carries credentials, or names a refused literal IP. */
function parseAndCheckUrl(raw: string, policy: SsrfPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefusedError('not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new UrlRefusedError(
      policy.allowHttp ? 'only http and https URLs are accepted' : 'only https URLs are accepted',
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
  for (const answer of answers) {
    const reason = refusalReason(answer.address, policy.allowedCidrs);
    if (reason !== null) throw new UrlRefusedError(`host ${host} resolves to a refused address: ${reason}`);
  }
  const first = answers[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
