import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { createMetricsServer } from './metrics-server.js';

describe('metrics server (real HTTP)', () => {
  test('serves the registry and the health, refuses other methods and paths, and closes kept-alive connections', async () => {
    const registry = new Registry();
    new Counter({ name: 'lockstep_test_things_total', help: 'things', registers: [registry] }).inc(3);
    let health = { ok: true, agents: 12 };
    const server = createMetricsServer({
      registry,
      logger: pino({ level: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      health: () => health,
    });
    await server.start();
    const url = `http://127.0.0.1:${server.port()}`;
    try {
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe(registry.contentType);
      expect(await metrics.text()).toContain('lockstep_test_things_total 3');

      const ok = await fetch(`${url}/healthz`);
      expect([ok.status, await ok.json()]).toEqual([200, { ok: true, agents: 12 }]);
      health = { ok: false, agents: 0 };
      const down = await fetch(`${url}/healthz?verbose=1`);
      expect([down.status, await down.json()]).toEqual([503, { ok: false, agents: 0 }]);

      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${url}/other`)).status).toBe(404);
    } finally {
      // fetch keeps its connection alive: close must not wait for it.
      await server.close();
    }
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
