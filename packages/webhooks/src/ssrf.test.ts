import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UrlRefusedError } from './errors.js';
import {
  type LookupAll,
  parseTrustedHosts,
  refusalReason,
  resolveTarget,
  type SsrfPolicy,
  validateWebhookUrl,
} from './ssrf.js';

const strict: SsrfPolicy = { allowHttp: false, allowedCidrs: [] };

// Each refused range, in IPv4 and IPv6, and the IPv6 forms that embed a refused IPv4 address.
const REFUSED_ADDRESSES: readonly [string, RegExp][] = [
  ['127.0.0.1', /loopback/],
  ['10.1.2.3', /private/],
  ['172.16.0.1', /private/],
  ['192.168.1.1', /private/],
  ['169.254.10.1', /linkLocal/],
  ['169.254.169.254', /metadata/],
  ['100.64.0.1', /carrierGradeNat/],
  ['224.0.0.1', /multicast/],
  ['0.0.0.0', /unspecified/],
  ['255.255.255.255', /broadcast/],
  ['240.0.0.1', /reserved/],
  ['192.0.2.1', /reserved/],
  ['::1', /loopback/],
  ['::', /unspecified/],
  ['fe80::1', /linkLocal/],
  ['fc00::1', /uniqueLocal/],
  ['fd00:ec2::254', /metadata/],
  ['ff02::1', /multicast/],
  ['2001:db8::1', /reserved/],
  ['::ffff:127.0.0.1', /IPv4-mapped form of 127\.0\.0\.1.*loopback/],
  ['::ffff:a9fe:a9fe', /IPv4-mapped form of 169\.254\.169\.254.*metadata/],
  ['64:ff9b::10.0.0.1', /NAT64 form of 10\.0\.0\.1.*private/],
  ['64:ff9b::7f00:1', /NAT64 form of 127\.0\.0\.1/],
  ['2002:7f00:1::', /6to4 form of 127\.0\.0\.1.*loopback/],
  ['2002:a9fe:a9fe::1', /6to4 form of 169\.254\.169\.254.*metadata/],
  ['2001::1', /teredo/],
];

describe('refusalReason', () => {
  it.each(REFUSED_ADDRESSES)('refuses %s', (address, why) => {
    expect(refusalReason(address, [])).toMatch(why);
  });

  it.each(['93.184.216.34', '2606:4700::6810:84e5', '64:ff9b::5db8:d822', '::ffff:93.184.216.34'])(
    'accepts the public address %s',
    (address) => {
      expect(refusalReason(address, [])).toBeNull();
    },
  );

  it('judges the IPv4-mapped, NAT64 and 6to4 forms of any IPv4 address as that address', () => {
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => {
        const v4 = `${a}.${b}.${c}.${d}`;
        const refused = refusalReason(v4, []) !== null;
        for (const form of [
          `::ffff:${v4}`,
          `64:ff9b::${hex(a, b)}:${hex(c, d)}`,
          `64:ff9b:1::${hex(a, b)}:${hex(c, d)}`,
          `2002:${hex(a, b)}:${hex(c, d)}::1`,
        ]) {
          expect(refusalReason(form, []) !== null, form).toBe(refused);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('exempts WEBHOOK_ALLOWED_CIDRS ranges, but never the metadata endpoints', () => {
    expect(refusalReason('127.0.0.1', ['127.0.0.0/8'])).toBeNull();
    expect(refusalReason('::ffff:127.0.0.1', ['127.0.0.0/8'])).toBeNull();
    expect(refusalReason('10.0.0.1', ['127.0.0.0/8'])).toMatch(/private/);
    expect(refusalReason('169.254.169.254', ['169.254.0.0/16'])).toMatch(/metadata/);
    expect(refusalReason('fd00:ec2::254', ['fd00::/8'])).toMatch(/metadata/);
  });
});

describe('validateWebhookUrl (at creation, no DNS)', () => {
  it('answers any input with a URL or a UrlRefusedError, never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.ipV6().map((a) => `https://[${a}]/x`),
        ),
        (raw) => {
          try {
            expect(typeof validateWebhookUrl(raw, strict)).toBe('string');
          } catch (err) {
            expect(err).toBeInstanceOf(UrlRefusedError);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it.each([
    ['http://example.com/hook', /only https/],
    ['ftp://example.com/hook', /only https/],
    ['https://user:pw@example.com/hook', /credentials/],
    ['not a url', /valid absolute URL/],
    ['https://127.0.0.1/hook', /loopback/],
    ['https://[::1]/hook', /loopback/],
    ['https://[::ffff:7f00:1]/hook', /IPv4-mapped/],
    ['https://169.254.169.254/latest/meta-data', /metadata/],
    ['https://[fd00:ec2::254]/', /metadata/],
    ['https://10.0.0.8:8443/hook', /private/],
    ['https://2130706433/hook', /loopback/], // WHATWG URL normalises the decimal form to 127.0.0.1
    ['https://0x7f.1/hook', /loopback/],
  ])('refuses %s', (url, why) => {
    expect(() => validateWebhookUrl(url, strict)).toThrow(UrlRefusedError);
    expect(() => validateWebhookUrl(url, strict)).toThrow(why);
  });

  it('accepts public https URLs, and http only when allowed', () => {
    expect(validateWebhookUrl('https://hooks.example.com/x?y=1', strict)).toBe(
      'https://hooks.example.com/x?y=1',
    );
    expect(
      validateWebhookUrl('http://127.0.0.1:9000/x', { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] }),
    ).toBe('http://127.0.0.1:9000/x');
  });
});

function fixedLookup(table: Record<string, string[]>): LookupAll {
  return (host) => {
    const answers = table[host];
    if (answers === undefined)
      return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    return Promise.resolve(answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
}

describe('resolveTarget (at delivery, DNS through the injected lookup)', () => {
  const lookup = fixedLookup({
    'public.example': ['93.184.216.34'],
    'loop.example': ['127.0.0.1'],
    'meta.example': ['169.254.169.254'],
    'private.example': ['10.0.0.5'],
    'cgnat.example': ['100.100.1.1'],
    'v6loop.example': ['::1'],
    'mapped.example': ['::ffff:192.168.0.1'],
    'nat64.example': ['64:ff9b::a9fe:a9fe'],
    'sixtofour.example': ['2002:c0a8:0101::1'],
    'mixed.example': ['93.184.216.34', '10.0.0.1'],
  });

  it.each([
    ['https://loop.example/h', /loop\.example resolves to a refused address: .*loopback/],
    ['https://meta.example/h', /metadata/],
    ['https://private.example/h', /private/],
    ['https://cgnat.example/h', /carrierGradeNat/],
    ['https://v6loop.example/h', /loopback/],
    ['https://mapped.example/h', /IPv4-mapped form of 192\.168\.0\.1/],
    ['https://nat64.example/h', /NAT64 form of 169\.254\.169\.254/],
    ['https://sixtofour.example/h', /6to4 form of 192\.168\.1\.1/],
    ['https://mixed.example/h', /10\.0\.0\.1.*private/],
    ['https://missing.example/h', /does not resolve \(ENOTFOUND\)/],
  ])('refuses %s', async (url, why) => {
    await expect(resolveTarget(url, strict, lookup)).rejects.toThrow(why);
  });

  it('returns the checked address to pin the connection to', async () => {
    const target = await resolveTarget('https://public.example/h', strict, lookup);
    expect(target).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(target.url.hostname).toBe('public.example');
  });

  it('checks the answer of every resolution, so a rebinding answer is caught at delivery', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let calls = 0;
    const rebinding: LookupAll = () => {
      const list = answers[Math.min(calls++, answers.length - 1)] ?? [];
      return Promise.resolve(list.map((address) => ({ address, family: 4 })));
    };
    await expect(resolveTarget('https://rebind.example/', strict, rebinding)).resolves.toMatchObject({
      address: '93.184.216.34',
    });
    await expect(resolveTarget('https://rebind.example/', strict, rebinding)).rejects.toThrow(/loopback/);
  });
});

describe('WEBHOOK_TRUSTED_HOSTS (names exempt from the https rule and the address ranges)', () => {
  const trusting: SsrfPolicy = { allowHttp: false, allowedCidrs: [], trustedHosts: ['webhook-receiver'] };
  const lookup = fixedLookup({
    'webhook-receiver': ['172.18.0.5'],
    'other-receiver': ['172.18.0.6'],
    'webhook-receiver.evil.example': ['10.0.0.9'],
    'public.example': ['93.184.216.34'],
  });

  it('lets a trusted name over http reach a private address, at creation and at delivery', async () => {
    expect(validateWebhookUrl('http://webhook-receiver:9000/', trusting)).toBe(
      'http://webhook-receiver:9000/',
    );
    await expect(resolveTarget('http://webhook-receiver:9000/', trusting, lookup)).resolves.toMatchObject({
      address: '172.18.0.5',
      family: 4,
    });
    // The URL parser lower-cases host names: the match is case-insensitive.
    await expect(resolveTarget('http://Webhook-Receiver:9000/', trusting, lookup)).resolves.toMatchObject({
      address: '172.18.0.5',
    });
  });

  it('keeps the whole guard for the same name when it is not trusted', async () => {
    expect(() => validateWebhookUrl('http://webhook-receiver:9000/', strict)).toThrow(/only https/);
    await expect(resolveTarget('https://webhook-receiver:9000/', strict, lookup)).rejects.toThrow(
      /webhook-receiver resolves to a refused address: .*private/,
    );
  });

  it('exempts no other name: neither another host, nor a name that only contains the trusted one', async () => {
    expect(() => validateWebhookUrl('http://other-receiver:9000/', trusting)).toThrow(/only https/);
    await expect(resolveTarget('https://other-receiver/', trusting, lookup)).rejects.toThrow(/private/);
    await expect(resolveTarget('https://webhook-receiver.evil.example/', trusting, lookup)).rejects.toThrow(
      /private/,
    );
    // Public destinations of untrusted names still pass, over https only.
    await expect(resolveTarget('https://public.example/', trusting, lookup)).resolves.toMatchObject({
      address: '93.184.216.34',
    });
  });

  it('exempts no IP literal, even one the trusted name resolves to', async () => {
    expect(() => validateWebhookUrl('http://172.18.0.5:9000/', trusting)).toThrow(/only https/);
    expect(() => validateWebhookUrl('https://172.18.0.5:9000/', trusting)).toThrow(/private/);
    expect(() => validateWebhookUrl('https://[::1]/', trusting)).toThrow(/loopback/);
    await expect(resolveTarget('https://172.18.0.5/', trusting, lookup)).rejects.toThrow(/private/);
  });

  it('never lets a trusted name reach a cloud metadata endpoint', async () => {
    const metadata = fixedLookup({ 'webhook-receiver': ['::ffff:169.254.169.254'] });
    await expect(resolveTarget('http://webhook-receiver/', trusting, metadata)).rejects.toThrow(
      /IPv4-mapped form of 169\.254\.169\.254.*metadata/,
    );
  });

  it('parses the setting: lower-cased names, every bad item reported', () => {
    expect(parseTrustedHosts(['Webhook-Receiver', 'hooks.corp.internal', 'webhook-receiver'])).toEqual({
      hosts: ['webhook-receiver', 'hooks.corp.internal'],
      problems: [],
    });
    const { hosts, problems } = parseTrustedHosts([
      '10.0.0.1',
      '[::1]',
      '-bad',
      'under_score',
      'a..b',
      'https://x.example',
      'ten.1',
      'ok.example',
    ]);
    expect(hosts).toEqual(['ok.example']);
    expect(problems).toEqual([
      expect.stringMatching(/"10\.0\.0\.1" is an IP address; .*WEBHOOK_ALLOWED_CIDRS/),
      expect.stringMatching(/"\[::1\]" is an IP address/),
      expect.stringMatching(/"-bad" is not a host name/),
      expect.stringMatching(/"under_score" is not a host name/),
      expect.stringMatching(/"a\.\.b" is not a host name/),
      expect.stringMatching(/"https:\/\/x\.example" is not a host name/),
      expect.stringMatching(/"ten\.1" is not a host name: its last label is a number/),
    ]);
  });
});
