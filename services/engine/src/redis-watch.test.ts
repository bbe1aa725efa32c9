import { systemClock } from '@lockstep/genesys';
import { connectRedis } from '@lockstep/store';
import { pollUntil, startRedis } from '@lockstep/testkit';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { createRedisWatch } from './redis-watch.js';

it('reports Redis unreachable while it is down and hands the lost agents over as soon as it answers', async () => {
  const server = await startRedis({ appendOnly: true });
  const redis = connectRedis(server.url);
  redis.on('error', () => undefined); // refused reconnects while the server is down are the point here
  const metrics = createMetrics();
  const recovered: string[][] = [];
  const watch = createRedisWatch({
    redis,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics,
    intervalMs: 50,
    timeoutMs: 200,
    onRecovered: (ids) => recovered.push([...ids]),
  });
  try {
    watch.start();
    watch.lost(['a-1']);
    await pollUntil(() => recovered.length === 1, { timeoutMs: 2_000, what: 'the first hand-over' });
    expect(recovered).toEqual([['a-1']]);
    expect(watch.up()).toBe(true);

    await server.kill();
    await pollUntil(() => !watch.up(), { timeoutMs: 3_000, what: 'Redis to be reported unreachable' });
    expect((await metrics.redisUp.get()).values[0]?.value).toBe(0);
    watch.lost(['a-2', 'a-3']);
    await new Promise((r) => setTimeout(r, 300));
    expect(recovered).toHaveLength(1); // nothing is handed over while Redis does not answer
    expect(watch.waiting).toBe(2);

    const back = Date.now();
    await server.restart();
    await pollUntil(() => recovered.length === 2, {
      timeoutMs: 5_000,
      what: 'the hand-over after Redis returned',
    });
    expect(Date.now() - back).toBeLessThan(5_000);
    expect(recovered[1]?.sort()).toEqual(['a-2', 'a-3']);
    expect(watch.up()).toBe(true);
    expect((await metrics.redisUp.get()).values[0]?.value).toBe(1);
  } finally {
    await watch.close();
    redis.disconnect();
    await server.stop();
  }
});
