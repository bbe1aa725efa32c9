import { connectRedis } from '@lockstep/store';
import { pollUntil, startRedis } from '@lockstep/testkit';
import { describe, expect, it } from 'vitest';
import { createNotifierLogger } from './logger.js';
import { startNotifier } from './notifier.js';
import { logSink, testConfig } from './testing/harness.js';

describe('secrets in logs', () => {
  it('a wrong Redis password appears in no log line, and health says not ok', async () => {
    const server = await startRedis();
    const admin = connectRedis(server.url, { connectionName: 'secrets-test' });
    await admin.config('SET', 'requirepass', 'the-right-one');
    admin.disconnect();
    const sink = logSink();
    const url = `redis://:wrong-hunter2-pw@127.0.0.1:${server.port}`;
    const runtime = await startNotifier(
      testConfig(url, 'pw:', { LOG_LEVEL: 'trace' }),
      createNotifierLogger('trace', sink.stream),
    );
    try {
      await pollUntil(() => sink.lines.some((l) => /WRONGPASS|NOAUTH/.test(l)), {
        timeoutMs: 10_000,
        what: 'the authentication failure in the log',
      });
      const health = await fetch(`http://127.0.0.1:${runtime.metricsServer.port()}/healthz`);
      expect(health.status).toBe(503);
      expect(sink.lines.join('\n')).not.toContain('hunter2');
    } finally {
      await runtime.close();
      await server.stop();
    }
    expect(sink.lines.join('\n')).not.toContain('hunter2');
  });
});
