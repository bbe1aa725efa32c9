import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKeys } from './keys.js';
import { defineScripts, LUA_DIR, loadScriptSources, SCRIPTS } from './scripts.js';

describe('Lua script files', () => {
  test('every script is a real file in lua/ and every file is a script', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    expect(files.sort()).toEqual(SCRIPTS.map((s) => `${s.file}.lua`).sort());
  });

  test('each file opens with a contract header documenting KEYS, ARGV and the return value', () => {
    for (const script of SCRIPTS) {
      const text = readFileSync(join(LUA_DIR, `${script.file}.lua`), 'utf8');
      expect(text.startsWith(`--[[\n  ${script.file}:`)).toBe(true);
      const header = text.slice(0, text.indexOf(']]'));
      for (let k = 1; k <= script.numberOfKeys; k++) expect(header).toContain(`KEYS[${k}]`);
      expect(header).not.toContain(`KEYS[${script.numberOfKeys + 1}]`);
      expect(header).toMatch(/ARGV\[1\]/);
      expect(header).toMatch(/Returns /);
    }
  });

  test('the loaded sources are the file contents', () => {
    const sources = loadScriptSources();
    for (const script of SCRIPTS) {
      expect(sources.get(script.file)).toBe(readFileSync(join(LUA_DIR, `${script.file}.lua`), 'utf8'));
    }
  });
});

describe('defineScripts against a real redis-server', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  test('registers commands that run the file scripts (cached by SHA on the server)', async () => {
    defineScripts(redis);
    defineScripts(redis);
    const keys = createKeys('scripts:');
    const token = await redis.lockstepAcquireLease(keys.lease('l'), keys.fenceCounter(), 'me', 1000, '', '');
    expect(token).toBe(1);
    const acquireSha = createHash('sha1')
      .update(loadScriptSources().get('acquire-lease') ?? '')
      .digest('hex');
    expect(await redis.call('SCRIPT', 'EXISTS', acquireSha)).toEqual([1]);
  });
});
