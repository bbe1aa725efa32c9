import { type RedisServer, startRedis } from '@lockstep/testkit';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectRedis } from './connect.js';
import { InvalidInputError } from './errors.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

describe('connectRedis', () => {
  test('one URL gives a connected, auto-pipelining single-node client', async () => {
    const client = connectRedis(server.url, { connectionName: 'lockstep-test' });
    try {
      expect(client).toBeInstanceOf(Redis);
      expect(client.options.enableAutoPipelining).toBe(true);
      await client.set('connect:k', 'v');
      expect(await client.get('connect:k')).toBe('v');
      expect(String(await client.call('CLIENT', 'LIST'))).toContain('name=lockstep-test');
    } finally {
      await client.quit();
    }
  });

  test('several URLs give a Cluster client', () => {
    const client = connectRedis([server.url, server.url.replace(String(server.port), '1')]);
    try {
      expect(client).toBeInstanceOf(Cluster);
    } finally {
      client.on('error', () => {});
      client.disconnect();
    }
  });

  test('bad URLs are rejected without echoing credentials', () => {
    const secret = 'hunter2-secret';
    let error: unknown;
    try {
      connectRedis(`redis://user:${secret}@[bad`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(
      JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause }),
    ).not.toContain(secret);
    expect(() => connectRedis(`http://user:${secret}@localhost:6379`)).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => connectRedis([])).toThrow(InvalidInputError);
  });

  test('every client and every duplicate has an error listener; a wrong password reaches onError', async () => {
    const guarded = await startRedis({ extraArgs: ['--requirepass', 'right-password'] });
    const errors: Error[] = [];
    const url = guarded.url.replace('redis://', 'redis://:wrong-password@');
    const client = connectRedis(url, { maxRetriesPerRequest: 0, onError: (err) => errors.push(err) });
    const copy = client.duplicate();
    try {
      expect(client.listenerCount('error')).toBe(1);
      expect(copy.listenerCount('error')).toBe(1);
      expect(copy.duplicate().listenerCount('error')).toBe(1);
      await expect(client.ping()).rejects.toThrow(/WRONGPASS/);
      await expect(copy.ping()).rejects.toThrow(Error);
      expect(errors.some((e) => /WRONGPASS/.test(e.message))).toBe(true);
    } finally {
      client.disconnect();
      copy.disconnect();
      await guarded.stop();
    }
  });
});
