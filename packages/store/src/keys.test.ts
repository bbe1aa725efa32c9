import { describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.js';
import { createKeys, validateId } from './keys.js';

/** Redis Cluster's CRC16 (XMODEM) and hash-tag rule, as specified in the Cluster spec. */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % 16384;
  }
  return crc16(key) % 16384;
}

describe('keySlot (test helper) matches the Redis Cluster reference values', () => {
  test('spec vectors', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    // An empty first tag hashes the whole key; a tag ends at the first '}'.
    expect(keySlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384);
    expect(keySlot('foo{{bar}}zap')).toBe(crc16('{bar') % 16384);
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  });
});

describe('createKeys', () => {
  const keys = createKeys('ls:', { outboxShards: 4 });

  test('per-agent keys carry the {agent:<id>} hash tag and share one Cluster slot', () => {
    for (const id of ['a', '6f1d2b9e-8c1a-4d1e-9a7b-0c2d3e4f5a6b', 'agent:with:colons', 'x@y.z']) {
      const agentKeys = [keys.agent(id), keys.history(id)];
      for (const k of agentKeys) expect(k).toContain(`{agent:${id}}`);
      expect(new Set(agentKeys.map(keySlot)).size).toBe(1);
      expect(keySlot(keys.agent(id))).toBe(crc16(`agent:${id}`) % 16384);
    }
    expect(keySlot(keys.agent('agent-1'))).not.toBe(keySlot(keys.agent('agent-2')));
  });

  test('global key groups each live in one slot', () => {
    expect(keySlot(keys.findingsOpen())).toBe(keySlot(keys.findingsByRule('rule-a')));
    expect(keySlot(keys.findingsByRule('rule-a'))).toBe(keySlot(keys.findingsByRule('rule-b')));
    expect(keySlot(keys.findingsRules())).toBe(keySlot(keys.findingsOpen()));
    expect(keySlot(keys.lease('shard-1'))).toBe(keySlot(keys.fenceCounter()));
    for (let n = 0; n < 4; n++) expect(keySlot(keys.outboxStream(n))).toBe(keySlot(keys.outboxDedupe(n)));
    expect(keys.outboxStream(1)).toBe('ls:{outbox:1}:stream');
  });

  test('every key starts with the prefix and keys of different kinds differ', () => {
    const all = [
      keys.agent('a'),
      keys.history('a'),
      keys.agentsIndex(),
      keys.findingsOpen(),
      keys.findingsByRule('r'),
      keys.findingsRules(),
      keys.outboxStream(0),
      keys.outboxDedupe(0),
      keys.lease('l'),
      keys.fenceCounter(),
    ];
    for (const k of all) expect(k.startsWith('ls:')).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  test('outbox shard of an agent is stable and within range, and spreads agents', () => {
    const shards = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const s = keys.outboxShardOf(`agent-${i}`);
      expect(s).toBe(keys.outboxShardOf(`agent-${i}`));
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(4);
      shards.add(s);
    }
    expect(shards.size).toBe(4);
    expect(createKeys('p:').outboxShardOf('anything')).toBe(0);
  });

  test('ids that could break tags or separators are rejected', () => {
    for (const bad of ['', 'a{b', 'a}b', '{x}', 'a b', 'a\tb', 'a\nb', 'a|b', 'x'.repeat(201)]) {
      expect(() => keys.agent(bad)).toThrow(InvalidInputError);
      expect(() => validateId('agent id', bad)).toThrow(/agent id/);
    }
    expect(() => keys.findingsByRule('r{1}')).toThrow(InvalidInputError);
    expect(() => keys.lease('')).toThrow(InvalidInputError);
    expect(() => validateId('agent id', 42)).toThrow(InvalidInputError);
  });

  test('bad prefixes and shard numbers are rejected', () => {
    expect(() => createKeys('a{b}:')).toThrow(InvalidInputError);
    expect(() => createKeys('a b')).toThrow(InvalidInputError);
    expect(() => createKeys('p:', { outboxShards: 0 })).toThrow(InvalidInputError);
    expect(() => createKeys('p:', { outboxShards: 1.5 })).toThrow(InvalidInputError);
    expect(() => keys.outboxStream(4)).toThrow(InvalidInputError);
    expect(() => keys.outboxStream(-1)).toThrow(InvalidInputError);
  });
});
